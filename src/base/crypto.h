#pragma once
// Hashing, random secrets and encodings. Thread-safe.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace khien::crypto {

// Must be called once before any other function here (initialises libsodium).
void init();

std::string sha256_hex(std::string_view data);

// SHA-256 over data given in pieces (a streamed upload, a file read in chunks).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, std::size_t size);
  std::string hex();  // ends the hash; call once

 private:
  void* ctx_;
};

// SHA-256 of a file's content, read in chunks; nullopt when it cannot be read.
std::optional<std::string> sha256_file(const std::string& path);
std::vector<std::uint8_t> hmac_sha1(std::span<const std::uint8_t> key, std::span<const std::uint8_t> message);

// Cryptographically secure random bytes.
std::vector<std::uint8_t> random_bytes(std::size_t n);
// n random bytes as URL-safe base64 without padding (for session ids, token secrets).
std::string random_token(std::size_t n);
// A random password of `length` characters from an unambiguous alphabet.
std::string random_password(std::size_t length);

std::string base32_encode(std::span<const std::uint8_t> data);  // RFC 4648, no padding
std::optional<std::vector<std::uint8_t>> base32_decode(std::string_view text);
std::string hex_encode(std::span<const std::uint8_t> data);

// Argon2id (libsodium crypto_pwhash_str). Returns the encoded hash with its parameters.
std::string hash_password(std::string_view password);
bool verify_password(std::string_view encoded_hash, std::string_view password);

// Compares in time independent of where the inputs differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace khien::crypto

#pragma once
// The HTTP/1.1 server: Boost.Beast with C++20 coroutines on a few I/O threads; requests are
// answered on a separate worker pool so no handler ever blocks an I/O thread.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "http/message.h"
#include "http/metrics.h"

namespace khien::http {

struct ServerOptions {
  int io_threads = 2;
  int workers = 4;
  std::size_t header_limit = 8192;
  std::size_t max_connections = 1024;
  std::chrono::seconds header_timeout{10};   // to receive a whole request header
  std::chrono::seconds idle_timeout{60};     // between requests on a kept-alive connection
  std::chrono::seconds request_timeout{30};  // to receive a body, and to send an answer
  std::chrono::seconds drain_timeout{30};    // at shutdown, for requests in flight
  std::string tls_certificate;               // PEM files; both empty: plain HTTP
  std::string tls_private_key;
};

class Handler {
 public:
  virtual ~Handler() = default;
  // The largest body accepted for a request with this header. Called on an I/O thread.
  virtual std::size_t body_limit(const Request& head) const = 0;
  // A directory to stream this request's body into (an upload), or empty to read it into
  // memory. Called on an I/O thread.
  virtual std::string spool_directory(const Request& head) const = 0;
  // Answers a complete request. Called on a worker thread; may block.
  virtual Response handle(Request& req) = 0;
  // The answer to an error the server finds itself (400, 413, 431, 500, 503).
  virtual Response reject(const Request& head, int status, std::string_view code) const = 0;
};

class Server {
 public:
  Server(ServerOptions options, Handler& handler, Metrics& metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens on "host:port" ("[::1]:8080" for IPv6; port 0 picks a free one).
  Status bind(std::string_view listen);
  // The base URL clients use, e.g. http://127.0.0.1:8080
  std::string url() const;
  // Serves until SIGTERM or SIGINT (or stop()), then stops accepting, lets requests in flight
  // finish (up to drain_timeout) and returns.
  void run();
  // Starts the same shutdown from any thread.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace khien::http

#include "http/server.h"

#include "base/crypto.h"

#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <boost/url.hpp>

#include <cstdio>
#include <filesystem>
#include <limits>
#include <mutex>
#include <random>
#include <set>
#include <thread>

namespace khien::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

namespace {

constexpr std::string_view kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

std::string new_request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(16, '0');
  auto v = rng();
  for (auto& c : id) {
    c = kHex[v & 15];
    v >>= 4;
  }
  return id;
}

bool acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  return true;
}

template <class Body>
Request to_request(const bhttp::request<Body>& msg, const std::string& remote, bool tls) {
  Request r;
  r.method = std::string(msg.method_string());
  r.target = std::string(msg.target());
  r.remote_address = remote;
  r.tls = tls;
  for (const auto& f : msg) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers.emplace_back(std::move(name), std::string(f.value()));
  }
  auto parsed = boost::urls::parse_origin_form(r.target);
  if (parsed) {
    r.path = parsed->path();
    for (auto p : parsed->params()) r.query.emplace_back(p.key, p.has_value ? p.value : std::string());
  } else {
    r.path = "\x01invalid";  // no route and no file matches this
  }
  const auto given = r.header("x-request-id");
  r.request_id = given && acceptable_request_id(*given) ? std::string(*given) : new_request_id();
  return r;
}

// The headers every answer carries.
template <class Body>
void decorate(bhttp::response<Body>& out, Response& res, const Request& req, bool keep_alive) {
  for (auto& [k, v] : res.headers) out.set(k, v);
  out.set(bhttp::field::server, "khien");
  out.set("Content-Security-Policy", kCsp);
  out.set("X-Content-Type-Options", "nosniff");
  out.set("Referrer-Policy", "no-referrer");
  out.set("X-Frame-Options", "DENY");
  out.set("Cross-Origin-Opener-Policy", "same-origin");
  out.set("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
  out.set("X-Request-Id", req.request_id);
  if (req.tls) out.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  out.keep_alive(keep_alive);
}

bhttp::response<bhttp::string_body> to_beast(Response& res, const Request& req, bool keep_alive) {
  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), 11};
  decorate(out, res, req, keep_alive);
  if (req.method == "HEAD") {
    out.content_length(res.body.size());
  } else {
    out.body() = std::move(res.body);
    out.prepare_payload();
  }
  return out;
}

// What shutdown needs to know of a connection. Touched only on the connection's strand.
struct Connection {
  bool busy = false;  // a request is being received or answered
  std::function<void()> close;
};

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, Handler& h, Metrics& m)
      : opt(std::move(o)), handler(h), metrics(m), workers(static_cast<std::size_t>(opt.workers)),
        acceptor(ioc), signals(ioc, SIGINT, SIGTERM) {}

  ServerOptions opt;
  Handler& handler;
  Metrics& metrics;
  asio::io_context ioc;
  asio::thread_pool workers;
  tcp::acceptor acceptor;
  asio::signal_set signals;
  std::optional<asio::ssl::context> tls;
  std::atomic<bool> stopping{false};
  std::mutex connections_mu;  // guards connections
  std::map<Connection*, std::pair<std::weak_ptr<Connection>, asio::any_io_executor>> connections;
  std::shared_ptr<spdlog::logger> access_log = spdlog::default_logger();

  Response handle_safely(Request& req) {
    try {
      return handler.handle(req);
    } catch (const std::exception& e) {
      spdlog::error(R"({{"event":"handler_exception","request_id":"{}","what":"{}"}})", req.request_id, e.what());
      return handler.reject(req, 500, "internal");
    }
  }

  void log_access(const Request& req, const Response& res, std::size_t bytes, double seconds) {
    metrics.observe(res.route.empty() ? "unmatched" : res.route, req.method, res.status, seconds);
    if (!access_log->should_log(spdlog::level::info)) return;
    boost::json::object o{{"event", "access"},       {"request_id", req.request_id}, {"remote", req.remote_address},
                          {"method", req.method},    {"path", req.path},             {"route", res.route},
                          {"status", res.status},    {"bytes", bytes},               {"ms", seconds * 1000.0}};
    if (!res.actor.empty()) o["actor"] = res.actor;
    access_log->info(boost::json::serialize(o));
  }

  template <class Stream>
  awaitable<bool> send(Stream& stream, Response res, const Request& req, bool keep_alive, double started_at = -1) {
    const auto begin = std::chrono::steady_clock::now();
    const auto elapsed = [&] {
      return started_at >= 0 ? started_at : std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    };
    if (!res.body_file.empty()) {
      // A file (evidence): sent chunk by chunk, the timeout restarting with each.
      bhttp::response<bhttp::file_body> out{static_cast<bhttp::status>(res.status), 11};
      beast::error_code fec;
      out.body().open(res.body_file.c_str(), beast::file_mode::scan, fec);
      if (!fec) {
        decorate(out, res, req, keep_alive);
        out.prepare_payload();
        const auto bytes = static_cast<std::size_t>(out.body().size());
        bhttp::response_serializer<bhttp::file_body> writer{out};
        beast::error_code ec;
        while (!ec && !writer.is_done()) {
          beast::get_lowest_layer(stream).expires_after(opt.request_timeout);
          std::tie(ec, std::ignore) = co_await bhttp::async_write_some(stream, writer, kNoThrow);
        }
        log_access(req, res, bytes, elapsed());
        co_return !ec;
      }
      res = handler.reject(req, 500, "internal");
    }
    auto msg = to_beast(res, req, keep_alive);
    const auto bytes = msg.body().size();
    beast::get_lowest_layer(stream).expires_after(opt.request_timeout);
    auto [ec, n] = co_await bhttp::async_write(stream, msg, kNoThrow);
    log_access(req, res, bytes, elapsed());
    co_return !ec;
  }


  // Refuses a request whose body is still coming (413): answers, stops sending, and reads and
  // discards what the client keeps sending for a moment before closing. Closing at once with
  // unread data would reset the connection and the client could lose the answer.
  template <class Stream>
  awaitable<void> refuse_body(Stream& stream, beast::flat_buffer& buffer, Response res, const Request& head) {
    if (!co_await send(stream, std::move(res), head, false)) co_return;
    auto& lowest = beast::get_lowest_layer(stream);
    beast::error_code ignored;
    lowest.socket().shutdown(tcp::socket::shutdown_send, ignored);
    lowest.expires_after(std::chrono::seconds(2));
    for (std::size_t drained = 0; drained < (64u << 20);) {
      buffer.consume(buffer.size());
      auto [ec, n] = co_await lowest.async_read_some(buffer.prepare(64 * 1024), kNoThrow);
      if (ec) break;
      drained += n;
    }
  }

  enum class SpoolOutcome { kDone, kTooLarge, kFailed, kClosed };

  // Reads the body of `parser` into a new file in `directory`, in 64 KiB chunks, hashing it;
  // the inactivity timeout restarts with every chunk so a large upload may take its time.
  template <class Stream>
  awaitable<SpoolOutcome> spool_body(Stream& stream, beast::flat_buffer& buffer,
                                     bhttp::request_parser<bhttp::buffer_body>& parser, const std::string& directory,
                                     Request& head) {
    std::error_code fs_ec;
    std::filesystem::create_directories(directory, fs_ec);
    const std::string path = directory + "/upload-" + new_request_id();
    std::FILE* file = std::fopen(path.c_str(), "wbx");
    if (!file) co_return SpoolOutcome::kFailed;
    const auto drop = [&] {
      std::fclose(file);
      std::filesystem::remove(path, fs_ec);
    };
    crypto::Sha256 hash;
    std::uint64_t size = 0;
    std::vector<char> chunk(64 * 1024);
    while (!parser.is_done()) {
      parser.get().body().data = chunk.data();
      parser.get().body().size = chunk.size();
      beast::get_lowest_layer(stream).expires_after(opt.request_timeout);
      auto [ec, n] = co_await bhttp::async_read_some(stream, buffer, parser, kNoThrow);
      if (ec == bhttp::error::need_buffer) ec = {};
      const std::size_t got = chunk.size() - parser.get().body().size;
      if (got > 0) {
        if (std::fwrite(chunk.data(), 1, got, file) != got) {
          drop();
          co_return SpoolOutcome::kFailed;
        }
        hash.update(chunk.data(), got);
        size += got;
      }
      if (ec == bhttp::error::body_limit) {
        drop();
        co_return SpoolOutcome::kTooLarge;
      }
      if (ec) {
        if (ec == beast::error::timeout) metrics.timeout();
        drop();
        co_return SpoolOutcome::kClosed;
      }
    }
    if (std::fclose(file) != 0) {
      std::filesystem::remove(path, fs_ec);
      co_return SpoolOutcome::kFailed;
    }
    head.body_file = path;
    head.body_sha256 = hash.hex();
    head.body_size = size;
    co_return SpoolOutcome::kDone;
  }

  template <class Stream>
  awaitable<void> session(Stream& stream, Connection& conn, std::string remote, bool secure) {
    auto& lowest = beast::get_lowest_layer(stream);
    beast::flat_buffer buffer;
    bool first = true;
    for (;;) {
      if (buffer.size() == 0) {
        if (stopping) co_return;
        conn.busy = false;
        lowest.expires_after(first ? opt.header_timeout : opt.idle_timeout);
        auto [ec, n] = co_await stream.async_read_some(buffer.prepare(8192), kNoThrow);
        if (ec) {
          if (ec == beast::error::timeout) metrics.timeout();
          co_return;
        }
        buffer.commit(n);
      }
      conn.busy = true;
      bhttp::request_parser<bhttp::empty_body> header_parser;
      header_parser.header_limit(static_cast<std::uint32_t>(opt.header_limit));
      // The body's limit depends on the route, known only once the header is read: the header
      // parser must not judge Content-Length by its own default.
      header_parser.body_limit(std::numeric_limits<std::uint64_t>::max());
      lowest.expires_after(opt.header_timeout);
      auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, header_parser, kNoThrow);
      if (ec) {
        if (ec == beast::error::timeout) {
          metrics.timeout();
        } else if (ec == bhttp::error::header_limit) {
          Request head;
          head.remote_address = remote;
          head.request_id = new_request_id();
          co_await send(stream, handler.reject(head, 431, "header_too_large"), head, false);
        } else if (ec != bhttp::error::end_of_stream && ec != asio::error::eof) {
          Request head;
          head.remote_address = remote;
          head.request_id = new_request_id();
          co_await send(stream, handler.reject(head, 400, "malformed_request"), head, false);
        }
        co_return;
      }
      const auto started = std::chrono::steady_clock::now();
      Request head = to_request(header_parser.get(), remote, secure);
      const auto limit = handler.body_limit(head);
      const auto declared = header_parser.content_length();
      if (declared && *declared > limit) {
        co_await refuse_body(stream, buffer, handler.reject(head, 413, "payload_too_large"), head);
        co_return;
      }
      if (header_parser.get()[bhttp::field::expect] == "100-continue") {
        bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, 11};
        lowest.expires_after(opt.request_timeout);
        auto [ec2, n2] = co_await bhttp::async_write(stream, cont, kNoThrow);
        if (ec2) co_return;
      }
      const bool keep_alive = header_parser.get().keep_alive();
      if (const auto spool = handler.spool_directory(head); !spool.empty()) {
        // An upload: streamed to a file in chunks, hashed on the way, never held in memory.
        bhttp::request_parser<bhttp::buffer_body> parser{std::move(header_parser)};
        parser.body_limit(limit);
        auto outcome = co_await spool_body(stream, buffer, parser, spool, head);
        if (outcome == SpoolOutcome::kTooLarge) {
          co_await refuse_body(stream, buffer, handler.reject(head, 413, "payload_too_large"), head);
          co_return;
        }
        if (outcome == SpoolOutcome::kFailed) {
          co_await send(stream, handler.reject(head, 500, "internal"), head, false);
          co_return;
        }
        if (outcome == SpoolOutcome::kClosed) co_return;
      } else {
        bhttp::request_parser<bhttp::string_body> parser{std::move(header_parser)};
        parser.body_limit(limit);
        if (!parser.is_done()) {
          lowest.expires_after(opt.request_timeout);
          auto [ec3, n3] = co_await bhttp::async_read(stream, buffer, parser, kNoThrow);
          if (ec3 == bhttp::error::body_limit) {
            co_await refuse_body(stream, buffer, handler.reject(head, 413, "payload_too_large"), head);
            co_return;
          }
          if (ec3) {
            if (ec3 == beast::error::timeout) metrics.timeout();
            co_return;
          }
        }
        head.body = std::move(parser.get().body());
      }
      Request& req = head;
      Response res = co_await asio::co_spawn(
          workers.get_executor(), [this, &req]() -> awaitable<Response> { co_return handle_safely(req); },
          asio::use_awaitable);
      if (!req.body_file.empty()) {  // an upload the handler did not keep
        std::error_code ignored;
        std::filesystem::remove(req.body_file, ignored);
      }
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      const bool again = keep_alive && !stopping;
      if (!co_await send(stream, std::move(res), req, again, secs) || !again) break;
      first = false;
    }
  }

  awaitable<void> serve(tcp::socket socket) {
    metrics.connection_opened();
    auto conn = std::make_shared<Connection>();
    const auto executor = socket.get_executor();
    {
      std::lock_guard lock(connections_mu);
      connections.emplace(conn.get(), std::make_pair(std::weak_ptr<Connection>(conn), executor));
    }
    beast::error_code ignored;
    const auto endpoint = socket.remote_endpoint(ignored);
    const std::string remote = endpoint.address().to_string();
    if (tls) {
      beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *tls);
      conn->close = [&stream] {
        beast::error_code e;
        beast::get_lowest_layer(stream).socket().close(e);
      };
      beast::get_lowest_layer(stream).expires_after(opt.header_timeout);
      auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kNoThrow);
      if (!ec) {
        co_await session(stream, *conn, remote, true);
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
        co_await stream.async_shutdown(kNoThrow);
      }
    } else {
      beast::tcp_stream stream(std::move(socket));
      conn->close = [&stream] {
        beast::error_code e;
        stream.socket().close(e);
      };
      co_await session(stream, *conn, remote, false);
      stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
    conn->close = nullptr;
    {
      std::lock_guard lock(connections_mu);
      connections.erase(conn.get());
    }
    metrics.connection_closed();
  }

  awaitable<void> accept() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(ioc), kNoThrow);
      if (ec) {
        if (stopping || ec == asio::error::operation_aborted) co_return;
        continue;
      }
      if (static_cast<std::size_t>(metrics.open_connections()) >= opt.max_connections) {
        metrics.connection_refused();
        beast::error_code ignored;
        socket.close(ignored);
        continue;
      }
      auto ex = socket.get_executor();
      asio::co_spawn(ex, serve(std::move(socket)), [](const std::exception_ptr& e) {
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& x) {
          spdlog::error(R"({{"event":"connection_exception","what":"{}"}})", x.what());
        }
      });
    }
  }

  void begin_shutdown() {
    if (stopping.exchange(true)) return;
    spdlog::info(R"({{"event":"shutdown","detail":"stopping: no new connections, draining requests in flight"}})");
    asio::post(ioc, [this] {
      beast::error_code ignored;
      acceptor.close(ignored);
    });
    {
      std::lock_guard lock(connections_mu);
      for (auto& [raw, entry] : connections) {
        asio::post(entry.second, [weak = entry.first] {
          if (auto c = weak.lock(); c && !c->busy && c->close) c->close();
        });
      }
    }
    asio::co_spawn(ioc, drain(), asio::detached);
  }

  awaitable<void> drain() {
    asio::steady_timer timer(ioc);
    const auto deadline = std::chrono::steady_clock::now() + opt.drain_timeout;
    while (metrics.open_connections() > 0 && std::chrono::steady_clock::now() < deadline) {
      timer.expires_after(std::chrono::milliseconds(20));
      co_await timer.async_wait(kNoThrow);
    }
    ioc.stop();
  }
};

Server::Server(ServerOptions options, Handler& handler, Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), handler, metrics)) {}

Server::~Server() = default;

Status Server::bind(std::string_view listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string_view::npos) return Error("invalid_listen", "expected HOST:PORT, e.g. 127.0.0.1:8080");
  std::string host(listen.substr(0, colon));
  const std::string port(listen.substr(colon + 1));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  beast::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return Error("invalid_listen", "the host must be an IP address, e.g. 127.0.0.1: " + host);
  unsigned long port_number = 0;
  try {
    std::size_t used = 0;
    port_number = std::stoul(port, &used);
    if (used != port.size() || port_number > 65535) throw std::out_of_range("port");
  } catch (const std::exception&) {
    return Error("invalid_listen", "the port must be a number from 0 to 65535: " + port);
  }
  auto& impl = *impl_;
  if (!impl.opt.tls_certificate.empty() || !impl.opt.tls_private_key.empty()) {
    try {
      impl.tls.emplace(asio::ssl::context::tls_server);
      impl.tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                            asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                            asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
      impl.tls->use_certificate_chain_file(impl.opt.tls_certificate);
      impl.tls->use_private_key_file(impl.opt.tls_private_key, asio::ssl::context::pem);
    } catch (const std::exception& e) {
      return Error("tls_config", std::string("cannot load the TLS certificate or key: ") + e.what());
    }
  }
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(port_number));
  impl.acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl.acceptor.bind(endpoint, ec);
  if (!ec) impl.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Error("listen_failed", "cannot listen on " + std::string(listen) + ": " + ec.message());
  return {};
}

std::string Server::url() const {
  beast::error_code ec;
  const auto ep = impl_->acceptor.local_endpoint(ec);
  const auto host = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
  return (impl_->tls ? "https://" : "http://") + host + ":" + std::to_string(ep.port());
}

void Server::run() {
  auto& impl = *impl_;
  impl.signals.async_wait([&impl](const beast::error_code& ec, int) {
    if (!ec) impl.begin_shutdown();
  });
  asio::co_spawn(impl.ioc, impl.accept(), asio::detached);
  std::vector<std::thread> threads;
  for (int i = 1; i < impl.opt.io_threads; ++i) threads.emplace_back([&impl] { impl.ioc.run(); });
  impl.ioc.run();
  for (auto& t : threads) t.join();
  impl.workers.join();
}

void Server::stop() {
  asio::post(impl_->ioc, [this] { impl_->begin_shutdown(); });
}

}  // namespace khien::http

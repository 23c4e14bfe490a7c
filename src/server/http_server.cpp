#include "kamusm/server/http_server.hpp"

#include "kamusm/server/http_util.hpp"
#include "kamusm/server/log.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

namespace kamusm::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using backend::Problem;

namespace {

// The kernel caps it at net.core.somaxconn (4096 on current kernels).
constexpr int listenBacklog = 4096;

struct MethodName {
    http::verb verb;
    Method method;
};
constexpr std::array<MethodName, 5> methods{{{http::verb::get, Method::Get},
                                             {http::verb::head, Method::Head},
                                             {http::verb::post, Method::Post},
                                             {http::verb::put, Method::Put},
                                             {http::verb::options, Method::Options}}};

Method methodOf(http::verb verb) {
    for (const MethodName& entry : methods)
        if (entry.verb == verb) return entry.method;
    return Method::Other;
}

std::string_view view(beast::string_view text) {
    return {text.data(), text.size()};
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// The target's path, percent-decoded; nothing when it is not an absolute path or would decode
// to a control character (a NUL would cut a file name short).
std::optional<std::string> decodePath(std::string_view target) {
    target = target.substr(0, target.find('?'));
    if (!target.starts_with('/')) return std::nullopt;
    std::string path;
    for (std::size_t i = 0; i < target.size(); ++i) {
        char c = target[i];
        if (c == '%') {
            int high = i + 2 < target.size() ? hexValue(target[i + 1]) : -1;
            int low = high >= 0 ? hexValue(target[i + 2]) : -1;
            if (low < 0) return std::nullopt;
            c = static_cast<char>(high * 16 + low);
            i += 2;
        }
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return std::nullopt;
        path += c;
    }
    return path;
}

// Connections in all and per address.
class Admission {
public:
    explicit Admission(const HttpLimits& limits) : limits_(limits) {}
    bool enter(const std::string& address) {
        std::lock_guard lock(mutex_);
        int& mine = perAddress_[address];
        bool capped = address != limits_.uncappedAddress;
        if (total_ >= limits_.maxConnections ||
            (capped && mine >= limits_.maxConnectionsPerAddress)) {
            if (mine == 0) perAddress_.erase(address);
            return false;
        }
        ++mine;
        ++total_;
        return true;
    }
    void leave(const std::string& address) {
        std::lock_guard lock(mutex_);
        if (--perAddress_[address] == 0) perAddress_.erase(address);
        --total_;
    }

private:
    const HttpLimits& limits_;
    std::mutex mutex_;
    int total_ = 0;
    std::map<std::string, int> perAddress_;
};

struct Shared {
    HttpLimits limits;
    Admission admission{limits};
    asio::thread_pool workers;
    std::atomic<int> inFlight{0};
    std::atomic<bool> stopping{false};
    explicit Shared(HttpLimits l, int threads)
        : limits(std::move(l)), workers(static_cast<std::size_t>(threads)) {}
};

class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(tcp::socket socket, Shared& shared, const Router& router, std::string peer)
        : stream_(std::move(socket)), shared_(shared), router_(router), peer_(std::move(peer)),
          buffer_(shared.limits.maxHeaderBytes + shared.limits.maxBodyBytes + 4096) {}
    ~Connection() { shared_.admission.leave(peer_); }

    void readHeader() {
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(shared_.limits.maxHeaderBytes));
        parser_->body_limit(shared_.limits.maxBodyBytes);
        stream_.expires_after(shared_.limits.headerTimeout);
        http::async_read_header(
            stream_, buffer_, *parser_,
            beast::bind_front_handler(&Connection::onHeader, shared_from_this()));
    }

private:
    void onHeader(beast::error_code error, std::size_t) {
        if (error) return refuse(error);
        const auto& header = parser_->get();
        if (static_cast<std::size_t>(std::distance(header.begin(), header.end())) >
            shared_.limits.maxHeaderFields)
            return answerAndClose(431, "the request has too many header fields");
        if (equalsIgnoringCase(view(header[http::field::expect]), "100-continue") &&
            !parser_->is_done()) {
            auto interim = std::make_shared<http::response<http::empty_body>>(
                http::status::continue_, header.version());
            stream_.expires_after(shared_.limits.bodyTimeout);
            return http::async_write(
                stream_, *interim,
                [self = shared_from_this(), interim](beast::error_code written, std::size_t) {
                    if (written) return self->close();
                    self->readBody();
                });
        }
        readBody();
    }

    void readBody() {
        if (parser_->is_done()) return dispatch();
        stream_.expires_after(shared_.limits.bodyTimeout);
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code error, std::size_t) {
                             if (error) return self->refuse(error);
                             self->dispatch();
                         });
    }

    void dispatch() {
        stream_.expires_never();
        http::request<http::string_body> message = parser_->release();
        std::optional<std::string> path = decodePath(view(message.target()));
        if (!path) return answerAndClose(400, "the request target is not a valid path");
        keepAlive_ = message.keep_alive() && !shared_.stopping;
        Request request;
        request.method = methodOf(message.method());
        request.path = std::move(*path);
        for (const auto& field : message)
            request.headers.emplace_back(view(field.name_string()), view(field.value()));
        request.body = std::move(message.body());
        request.peer = peer_;
        ++shared_.inFlight;
        asio::post(shared_.workers,
                   [self = shared_from_this(), request = std::move(request)]() mutable {
                       Response response = self->router_.handle(std::move(request));
                       asio::post(self->stream_.get_executor(),
                                  [self, response = std::move(response)]() mutable {
                                      self->write(std::move(response));
                                  });
                   });
    }

    void write(Response response) {
        payload_ = response.sharedBody
                       ? std::move(response.sharedBody)
                       : std::make_shared<const std::string>(std::move(response.body));
        answer_ = {};
        answer_.version(11);
        answer_.result(static_cast<unsigned>(response.status));
        for (auto& [name, value] : response.headers)
            answer_.set(name, value);
        answer_.body() = {payload_->data(), payload_->size()};
        answer_.keep_alive(keepAlive_);
        answer_.prepare_payload();
        stream_.expires_after(shared_.limits.writeTimeout);
        http::async_write(stream_, answer_,
                          [self = shared_from_this()](beast::error_code error, std::size_t) {
                              --self->shared_.inFlight;
                              if (error || !self->keepAlive_) return self->close();
                              self->readHeader();
                          });
    }

    void refuse(beast::error_code error) {
        if (error == http::error::header_limit || error == http::error::buffer_overflow)
            return answerAndClose(431, "the request headers are too large");
        if (error == http::error::body_limit)
            return answerAndClose(413, "the request body is too large");
        // A parse error earns an answer; a timeout, a reset or a closed connection does not.
        if (error.category() == http::make_error_code(http::error::bad_version).category() &&
            error != http::error::end_of_stream && error != http::error::partial_message)
            return answerAndClose(400, "the request is not valid HTTP/1.1");
        close();
    }

    void answerAndClose(int status, const std::string& detail) {
        Response response;
        Problem problem = status == 413 ? Problem::PayloadTooLarge : Problem::InvalidRequest;
        sendProblem(response, ApiError(problem, detail), status);
        Request request;
        request.peer = peer_;
        router_.finish(request, response);
        keepAlive_ = false;
        ++shared_.inFlight;
        write(std::move(response));
    }

    void close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream_.close();
    }

    beast::tcp_stream stream_;
    Shared& shared_;
    const Router& router_;
    std::string peer_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::shared_ptr<const std::string> payload_; // what answer_'s body points into
    http::response<http::span_body<const char>> answer_;
    bool keepAlive_ = false;
};

} // namespace

struct HttpServer::Impl {
    Shared shared; // outlives the connections that io_context destroys with their handlers
    asio::io_context io;
    std::vector<std::unique_ptr<tcp::acceptor>> acceptors;

    Impl(HttpLimits limits, int threads) : shared(std::move(limits), threads) {}

    void accept(tcp::acceptor& acceptor, const Router& router) {
        acceptor.async_accept(
            asio::make_strand(io),
            [this, &acceptor, &router](beast::error_code error, tcp::socket socket) {
                if (error == asio::error::operation_aborted) return;
                if (error) {
                    // Out of descriptors, say: wait a moment instead of spinning on the backlog.
                    auto timer =
                        std::make_shared<asio::steady_timer>(io, std::chrono::milliseconds(50));
                    timer->async_wait([this, timer, &acceptor, &router](beast::error_code) {
                        if (acceptor.is_open()) accept(acceptor, router);
                    });
                    return;
                }
                admit(std::move(socket), router);
                accept(acceptor, router);
            });
    }

    void admit(tcp::socket socket, const Router& router) {
        beast::error_code error;
        tcp::endpoint remote = socket.remote_endpoint(error);
        if (error) return;
        std::string peer = remote.address().to_string();
        if (!shared.admission.enter(peer)) return; // closed as the socket goes
        socket.set_option(tcp::no_delay(true), error);
        std::make_shared<Connection>(std::move(socket), shared, router, std::move(peer))
            ->readHeader();
    }
};

HttpServer::HttpServer(HttpLimits limits, int workerThreads)
    : impl_(std::make_unique<Impl>(std::move(limits), workerThreads)) {}

HttpServer::~HttpServer() {
    impl_->shared.workers.join();
}

int HttpServer::listen(const std::string& address, int port, const Router& router) {
    try {
        tcp::endpoint endpoint(asio::ip::make_address(address), static_cast<unsigned short>(port));
        auto acceptor = std::make_unique<tcp::acceptor>(impl_->io);
        acceptor->open(endpoint.protocol());
        acceptor->set_option(asio::socket_base::reuse_address(true));
        acceptor->bind(endpoint);
        acceptor->listen(listenBacklog);
        int bound = acceptor->local_endpoint().port();
        impl_->accept(*acceptor, router);
        impl_->acceptors.push_back(std::move(acceptor));
        return bound;
    } catch (const std::exception& error) {
        throw std::runtime_error("cannot listen on " + address + ":" + std::to_string(port) + ": " +
                                 error.what());
    }
}

void HttpServer::run() {
    unsigned count = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
    std::vector<std::thread> threads;
    for (unsigned i = 1; i < count; ++i)
        threads.emplace_back([this] { impl_->io.run(); });
    impl_->io.run();
    for (std::thread& thread : threads)
        thread.join();
}

void HttpServer::stop() {
    impl_->shared.stopping = true;
    asio::post(impl_->io, [this] {
        for (auto& acceptor : impl_->acceptors) {
            beast::error_code ignored;
            acceptor->close(ignored);
        }
    });
    for (int waited = 0; impl_->shared.inFlight > 0 && waited < 50; ++waited)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    impl_->io.stop();
}

} // namespace kamusm::server

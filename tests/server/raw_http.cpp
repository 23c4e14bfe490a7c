#include "raw_http.hpp"

#include "contract_check.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>

namespace kamusm::test {

namespace {

sockaddr_in loopback(const std::string& address, int port) {
    sockaddr_in socketAddress{};
    socketAddress.sin_family = AF_INET;
    socketAddress.sin_port = htons(static_cast<std::uint16_t>(port));
    if (inet_pton(AF_INET, address.c_str(), &socketAddress.sin_addr) != 1)
        throw std::invalid_argument("not an IPv4 address: " + address);
    return socketAddress;
}

} // namespace

RawConnection::RawConnection(int port, const std::string& source) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    int on = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    sockaddr_in from = loopback(source, 0);
    sockaddr_in to = loopback("127.0.0.1", port);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
        connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
        close(fd_);
        throw std::runtime_error("cannot connect from " + source);
    }
}

RawConnection::~RawConnection() {
    close(fd_);
}

bool RawConnection::send(std::string_view bytes) {
    sent_.append(bytes);
    while (!bytes.empty()) {
        ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
    return true;
}

std::optional<RawResponse> RawConnection::receive(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        std::size_t end = pending_.find("\r\n\r\n");
        if (end != std::string::npos) {
            RawResponse response;
            response.head = pending_.substr(0, end + 2);
            response.status = std::stoi(response.head.substr(9, 3));
            std::size_t length = 0;
            if (auto at = response.head.find("Content-Length: "); at != std::string::npos)
                length = std::stoul(response.head.substr(at + 16));
            if (pending_.size() >= end + 4 + length) {
                response.body = pending_.substr(end + 4, length);
                pending_.erase(0, end + 4 + length);
                checkAnswer(response);
                return response;
            }
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd fd{fd_, POLLIN, 0};
        if (left.count() <= 0 || poll(&fd, 1, static_cast<int>(left.count())) <= 0)
            return std::nullopt;
        char buffer[65536];
        ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
        if (n <= 0) return std::nullopt;
        pending_.append(buffer, static_cast<std::size_t>(n));
    }
}

// The request line of the oldest request sent names the route; its headers and body are not
// checked (they are forged on purpose), the answer is.
void RawConnection::checkAnswer(const RawResponse& response) {
    Exchange exchange;
    std::string line = sent_.substr(0, sent_.find("\r\n"));
    std::size_t space = line.find(' ');
    exchange.method = line.substr(0, space);
    exchange.path = space == std::string::npos
                        ? ""
                        : line.substr(space + 1, line.find(' ', space + 1) - space - 1);
    exchange.status = response.status;
    exchange.body = response.body;
    for (std::size_t at = response.head.find("\r\n"); at != std::string::npos;) {
        std::size_t next = response.head.find("\r\n", at + 2);
        std::string header = response.head.substr(at + 2, next - at - 2);
        if (auto colon = header.find(':'); colon != std::string::npos) {
            std::string name = header.substr(0, colon);
            for (char& c : name)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            exchange.headers[name] = header.substr(header.find_first_not_of(' ', colon + 1));
        }
        at = next;
    }
    checkContract(exchange);
    // Drop the request answered: its head, and its body by Content-Length.
    std::size_t end = sent_.find("\r\n\r\n");
    std::size_t length = 0;
    if (auto at = sent_.find("Content-Length: "); at != std::string::npos && at < end)
        length = std::stoul(sent_.substr(at + 16));
    sent_.erase(0,
                end == std::string::npos ? sent_.size() : std::min(sent_.size(), end + 4 + length));
}

bool RawConnection::closedByServer(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd fd{fd_, POLLIN, 0};
        if (left.count() <= 0 || poll(&fd, 1, static_cast<int>(left.count())) <= 0) return false;
        char buffer[65536];
        if (recv(fd_, buffer, sizeof buffer, 0) <= 0) return true;
    }
}

std::string getRequest(std::string_view path, std::string_view extraHeaders) {
    return "GET " + std::string(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
           std::string(extraHeaders) + "\r\n";
}

long residentKiB(int pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);)
        if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
    return -1;
}

} // namespace kamusm::test

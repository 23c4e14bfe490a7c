#include "link.hpp"

#include "endpoint.hpp"

#include <cerrno>
#include <cstring>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace kamusm::sim::vpcd {

namespace {

std::string systemError(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
}

struct AddressList {
    addrinfo* first = nullptr;
    ~AddressList() {
        if (first) freeaddrinfo(first);
    }
};

} // namespace

bool Link::connect(const std::string& host, std::uint16_t port) {
    close();
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    AddressList addresses;
    const int failed =
        getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &addresses.first);
    if (failed != 0) throw LinkError("cannot resolve " + host + ": " + gai_strerror(failed));
    for (const addrinfo* at = addresses.first; at; at = at->ai_next) {
        const int candidate = ::socket(at->ai_family, at->ai_socktype, at->ai_protocol);
        if (candidate < 0) continue;
        if (::connect(candidate, at->ai_addr, at->ai_addrlen) == 0) {
            // Each APDU is one small message waiting for its answer: no Nagle delay.
            const int on = 1;
            setsockopt(candidate, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
            socket_ = candidate;
            return true;
        }
        ::close(candidate);
    }
    return false;
}

void Link::close() {
    if (socket_ >= 0) ::close(socket_);
    socket_ = -1;
}

bool Link::readExact(std::uint8_t* into, std::size_t size, std::chrono::milliseconds patience) {
    for (std::size_t done = 0; done < size;) {
        pollfd ready{socket_, POLLIN, 0};
        const int polled = ::poll(&ready, 1, static_cast<int>(patience.count()));
        if (polled < 0 && errno == EINTR) continue;
        if (polled < 0) throw LinkError(systemError("poll"));
        if (polled == 0) throw LinkError("vpcd stopped in the middle of a message");
        const ssize_t got = ::recv(socket_, into + done, size - done, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0 && errno == ECONNRESET) return false;
        if (got < 0) throw LinkError(systemError("recv"));
        if (got == 0) {
            if (done == 0) return false;
            throw LinkError("vpcd closed the connection in the middle of a message");
        }
        done += static_cast<std::size_t>(got);
    }
    return true;
}

std::optional<Bytes> Link::receive(std::chrono::milliseconds patience) {
    std::uint8_t header[2];
    if (!readExact(header, sizeof header, patience)) return std::nullopt;
    Bytes payload(static_cast<std::size_t>(header[0] << 8 | header[1]));
    if (!payload.empty() && !readExact(payload.data(), payload.size(), patience))
        throw LinkError("vpcd closed the connection in the middle of a message");
    return payload;
}

void Link::send(ByteView payload) {
    const Bytes message = frame(payload);
    for (std::size_t done = 0; done < message.size();) {
        const ssize_t sent =
            ::send(socket_, message.data() + done, message.size() - done, MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR) continue;
        if (sent < 0) throw LinkError(systemError("send"));
        done += static_cast<std::size_t>(sent);
    }
}

} // namespace kamusm::sim::vpcd

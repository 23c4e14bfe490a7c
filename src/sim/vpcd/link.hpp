// The TCP connection to vpcd, which listens (one port per virtual reader) for a card to come:
// connecting is inserting the card, closing is pulling it out.
#pragma once

#include "kamusm/base/bytes.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace kamusm::sim::vpcd {

class LinkError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Link {
public:
    Link() = default;
    ~Link() { close(); }
    Link(const Link&) = delete;
    Link& operator=(const Link&) = delete;

    // False when nobody listens there (yet); throws LinkError for a host that does not resolve.
    bool connect(const std::string& host, std::uint16_t port);
    void close();
    bool connected() const { return socket_ >= 0; }
    int descriptor() const { return socket_; }

    // One message; nullopt when vpcd closed the connection. A message must arrive whole
    // within `patience` once its first byte has (LinkError otherwise: vpcd never stalls).
    std::optional<Bytes> receive(std::chrono::milliseconds patience);
    void send(ByteView payload); // frames it; throws LinkError when vpcd has gone

private:
    bool readExact(std::uint8_t* into, std::size_t size, std::chrono::milliseconds patience);

    int socket_ = -1;
};

} // namespace kamusm::sim::vpcd

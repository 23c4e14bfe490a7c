// The card side of vsmartcard's vpcd protocol as kamusm-vpcd-card serves it: a byte stream from
// "vpcd" over a real loopback TCP connection into sim::vpcd::Link (2-byte length framing), each
// message to the Endpoint (control bytes, APDUs to the virtual card), each reply back over the
// link. Every stream ends with the connection closed, a message refused (ProtocolError) or a
// broken frame (LinkError); nothing else may escape, and nothing hangs.
//
// Input: a byte saying at which APDU the card is pulled out (0: never), then the stream.
#include "../src/sim/vpcd/endpoint.hpp"
#include "../src/sim/vpcd/link.hpp"

#include "kamusm/sim/fixtures.hpp"

#include <arpa/inet.h>
#include <cstdlib>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace kamusm;
using namespace kamusm::sim::vpcd;

namespace {

// "vpcd": a loopback listener, made once.
struct Listener {
    int socket = -1;
    std::uint16_t port = 0;

    Listener() {
        socket = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (socket < 0 || ::bind(socket, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
            ::listen(socket, 4) != 0 ||
            ::getsockname(socket, reinterpret_cast<sockaddr*>(&address), &length) != 0)
            std::abort();
        port = ntohs(address.sin_port);
    }
};

// Writes the whole stream, then closes vpcd's side for writing: the card reads it to the end.
void sendStream(int peer, ByteView stream) {
    for (std::size_t done = 0; done < stream.size();) {
        const ssize_t sent = ::send(peer, stream.data() + done, stream.size() - done, MSG_NOSIGNAL);
        if (sent <= 0) std::abort();
        done += static_cast<std::size_t>(sent);
    }
    ::shutdown(peer, SHUT_WR);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Listener vpcd;
    // What fits in the socket buffers at once: the card's replies are never read.
    if (size == 0 || size > 4096) return 0;
    const std::optional<int> pullAt = data[0] == 0 ? std::nullopt : std::optional<int>(data[0]);
    Endpoint endpoint(std::make_shared<sim::VirtualCard>(sim::demoCardSetup()), pullAt);
    Link link;
    if (!link.connect("127.0.0.1", vpcd.port)) std::abort();
    const int peer = ::accept(vpcd.socket, nullptr, nullptr);
    if (peer < 0) std::abort();
    sendStream(peer, ByteView(data + 1, size - 1));
    endpoint.inserted();
    try {
        while (std::optional<Bytes> message = link.receive(std::chrono::milliseconds(1000))) {
            std::optional<Bytes> reply;
            try {
                reply = endpoint.handle(*message);
            } catch (const ProtocolError&) {
                continue; // the server logs it and goes on
            }
            if (endpoint.pullRequested()) break;
            if (reply) link.send(*reply);
        }
    } catch (const LinkError&) {
    }
    link.close();
    ::close(peer);
    return 0;
}

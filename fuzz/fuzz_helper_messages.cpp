// The helper's host as the browser feeds it: any bytes through the native messaging framing
// into the host, over in-memory PC/SC with the virtual card. Every message is answered or the
// stream is refused (TooLarge); nothing crashes, hangs or reaches the PUK.
#include "helper/host_rig.hpp"

#include "kamusm/helper/error.hpp"
#include "kamusm/helper/framing.hpp"

#include <cstdlib>

using namespace kamusm;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    helper::HostLimits limits = testing::testLimits();
    limits.waitSlice = std::chrono::milliseconds(1);
    testing::HostRig rig(limits);
    helper::FrameReader reader;
    if (size == 0) return 0;
    // The first byte says where the reads split the stream that follows it.
    const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    const std::size_t split = data[0] % (bytes.size() + 1);
    try {
        for (std::string_view part : {bytes.substr(0, split), bytes.substr(split)}) {
            reader.feed(part);
            while (std::optional<std::string> message = reader.next())
                rig.host.receive(*message);
        }
    } catch (const helper::Error& error) {
        if (error.code() != helper::ErrorCode::TooLarge) std::abort();
    }
    // A bound far above what closing takes (milliseconds), for a loaded machine: a hang aborts.
    if (!rig.host.close(std::chrono::seconds(30))) std::abort();
    if (rig.card->pukCommandsSeen() != 0) std::abort();
    return 0;
}

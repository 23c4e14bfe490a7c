// kamusm-pcsc-host: the desktop helper's native messaging host. Chrome (or Edge, Chromium)
// starts it when the KamuSM extension connects, with the extension's origin as its argument, and
// ends it by closing its standard input. It serves the page's PC/SC requests (host.hpp) on
// pcsc-lite, WinSCard or PCSC.framework, and nothing else: the wizard, the card profile and the
// screens stay in the page.
#include "kamusm/base/bytes.hpp"
#include "kamusm/helper/error.hpp"
#include "kamusm/helper/framing.hpp"
#include "kamusm/helper/host.hpp"
#include "kamusm/pcsc/pcsclite_context.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#define KAMUSM_READ _read
#else
#include <unistd.h>
#define KAMUSM_READ ::read
#endif

namespace kamusm::helper {

namespace {

const char* const usage =
    "kamusm-pcsc-host: the PC/SC helper of the KamuSM e-signature PIN wizard.\n"
    "Chrome, Edge or Chromium start it for the KamuSM extension (native messaging); it is not\n"
    "meant to be run by hand. Install or remove it with helper/install-linux.sh, the Debian\n"
    "package or the Windows installer.\n";

// The only caller: the extension whose id follows from the public key ("key") in
// helper/extension/manifest.json (CMakeLists.txt derives KAMUSM_EXTENSION_ID). Chrome passes the
// caller's origin as the first argument.
constexpr std::string_view allowedCaller = "chrome-extension://" KAMUSM_EXTENSION_ID "/";

class PcscLiteService : public PcscService {
public:
    std::unique_ptr<pcsc::Context> establish() override {
        return pcsc::PcscLiteContext::establish();
    }
    void cancelWaits(pcsc::Context& context) noexcept override {
        static_cast<pcsc::PcscLiteContext&>(context).cancelWaits();
    }
};

void write(const std::string& message) {
    const std::string framed = frame(message);
    // A browser that has gone away: the end of the input follows, and the host closes then.
    if (std::fwrite(framed.data(), 1, framed.size(), stdout) == framed.size()) std::fflush(stdout);
}

void log(const std::string& line) {
    std::fprintf(stderr, "kamusm-pcsc-host: %s\n", line.c_str());
}

// Reads messages until the browser closes the port; false when the stream broke.
bool serve(Host& host) {
    FrameReader reader;
    std::string chunk(64 * 1024, '\0');
    for (;;) {
        const auto got = KAMUSM_READ(0, chunk.data(), static_cast<unsigned>(chunk.size()));
        if (got <= 0) break;
        reader.feed(std::string_view(chunk.data(), static_cast<std::size_t>(got)));
        std::fill_n(chunk.data(), got, '\0');
        try {
            while (std::optional<std::string> message = reader.next()) {
                host.receive(*message);
                wipe(*message);
            }
        } catch (const Error& error) { // TooLarge: nothing after it can be trusted
            host.answer(errorMessage(std::nullopt, wireErrorOf(std::current_exception())));
            log(error.what());
            return false;
        }
    }
    wipe(chunk);
    if (reader.partial()) log("the input ended inside a message");
    return !reader.partial();
}

int run(int argc, char** argv) {
    const std::string_view caller = argc > 1 ? argv[1] : "";
    if (caller != allowedCaller) {
        std::fputs(usage, stderr);
        if (!caller.empty() && caller.rfind("--", 0) != 0)
            log("refusing caller " + std::string(caller) + ": only the KamuSM extension");
        return 2;
    }
#ifdef _WIN32
    _setmode(_fileno(stdin), _O_BINARY);
    _setmode(_fileno(stdout), _O_BINARY);
#endif
    PcscLiteService service;
    HostLimits limits;
    limits.allowedControlCodes = {pcsc::featureRequestControlCode()};
    bool intact = false;
    {
        Host host(service, write, limits);
        intact = serve(host);
        // Every card reset and every context released; a call stuck in the PC/SC service is
        // left to it (it resets what a vanished client held).
        if (!host.close()) {
            log("a PC/SC call did not return; exiting without it");
            std::fflush(stdout);
            std::_Exit(intact ? 0 : 1);
        }
    }
    return intact ? 0 : 1;
}

} // namespace

} // namespace kamusm::helper

int main(int argc, char** argv) {
    return kamusm::helper::run(argc, argv);
}

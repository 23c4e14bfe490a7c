// The card operations pinctl runs on any reader, simulated or real: a reader session, the
// operation by name, and its output as text or JSON.
#pragma once

#include "commands.hpp"
#include "kamusm/card/pin.hpp"
#include "kamusm/ccid/trace.hpp"
#include "kamusm/iso7816/channel.hpp"
#include "kamusm/reader/transport.hpp"
#include "kamusm/usb/device.hpp"

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#ifdef KAMUSM_HAVE_LIBUSB
#include "kamusm/usb/libusb_device.hpp"
#endif

namespace kamusm::cli {

// Prints every CCID message, T=1 block and APDU; the data of PIN commands is hidden.
class PrintingTrace : public ccid::Trace {
public:
    explicit PrintingTrace(std::ostream& out) : out_(out) {}
    void record(ccid::TraceKind kind, ByteView bytes) override;

private:
    std::ostream& out_;
    bool hidingPin_ = false; // between a PIN command and its response
};

struct OperationOptions {
    std::string operation; // info, serial, certificates, pin-status, verify, change
    std::uint8_t slot = 0;
    bool trace = false;
    bool json = false;
};

extern const char* const operationUsage;

// A line of standard input, without echo when it is a terminal (after printing `prompt`).
card::Pin readPin(const char* prompt);

#ifdef KAMUSM_HAVE_LIBUSB
// The attached devices that have a CCID interface.
std::vector<std::unique_ptr<usb::LibusbDevice>> findReaders(const usb::LibusbContext& context);
#endif

// Reads PINs (verify: one line; change: current then new) from standard input.
int runCardOperation(usb::Device& device, const OperationOptions& options, std::ostream& out);

// The operation's own fields (serial, certificates, pin and tries_left; none for info) on a
// card reached by any transport: CCID sessions, PC/SC cards. PINs come from standard input.
Task<nlohmann::ordered_json> runOperation(iso7816::Channel& channel, const std::string& operation);
// Prints a result as text, or as JSON with "ok": true; returns exit code 0.
int printResult(const nlohmann::ordered_json& result, bool json, std::ostream& out);
// Prints a failure as "error: ...", or as {"ok": false, "error": ..., <details>}; returns 1.
int printFailure(const std::string& error, bool json, std::ostream& out,
                 const nlohmann::ordered_json& details = {});

// The PC/SC reader `wanted` names, by index or by name (`--reader`); without one, the first
// with a card in it (else the first). Nullopt when there is no such reader.
std::optional<std::string> pickPcscReader(const std::vector<reader::Slot>& slots,
                                          const std::string& wanted);

// Parses `[--slot N] [--trace] [--json] <operation>` out of the arguments; false on bad input.
bool parseOperationOptions(const Arguments& arguments, OperationOptions& options);

} // namespace kamusm::cli

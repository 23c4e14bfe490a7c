// A smoke check of the core compiled to WebAssembly, run under node by tests/build-wasm.sh:
// coroutines on libc++'s <experimental/coroutine>, the ATR parser, the CCID descriptors of the
// known readers and the card profile's recognition, with the same results as natively.
#include "kamusm/base/task.hpp"
#include "kamusm/card/akis.hpp"
#include "kamusm/ccid/descriptor.hpp"
#include "kamusm/ccid/known_readers.hpp"
#include "kamusm/iso7816/atr.hpp"
#include "kamusm/iso7816/error.hpp"

#include <cstdio>

using namespace kamusm;

namespace {

int failures = 0;

void check(bool condition, const char* what) {
    std::printf("%s %s\n", condition ? "ok  " : "FAIL", what);
    if (!condition) ++failures;
}

Task<int> twice(int value) {
    co_return value * 2;
}
Task<int> chain() {
    int sum = 0;
    for (int i = 0; i < 100000; ++i)
        sum += co_await twice(1);
    co_return sum;
}

} // namespace

int main() {
    check(runSync(chain()) == 200000, "coroutine chain of 100000 awaits");

    const iso7816::Atr atr = iso7816::parseAtr(
        fromHex("3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 93 31 80 73 B3 A1 80 6B"));
    check(atr.fi() == 512 && atr.di() == 32 && atr.ifsc() == 254,
          "AKIS ATR: Fi 512, Di 32, IFSC 254");
    check(card::isAkisCard(atr), "AKIS ATR recognised by the card profile");

    bool malformedRejected = false;
    try {
        iso7816::parseAtr(fromHex("3B 9F 96"));
    } catch (const iso7816::Error&) {
        malformedRejected = true;
    }
    check(malformedRejected, "truncated ATR rejected with a typed error");

    for (const ccid::KnownReader& reader : ccid::knownReaders()) {
        const ccid::InterfaceInfo info =
            ccid::findInterface(usb::parseConfigurationDescriptor(reader.configurationDescriptor));
        check(info.descriptor.dwMaxCCIDMessageLength > 10, std::string(reader.name).c_str());
    }
    std::printf("%d failures\n", failures);
    return failures == 0 ? 0 : 1;
}

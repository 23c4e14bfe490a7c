// pinctl doctor [--json]: every USB reader (libusb) and every PC/SC reader (pcsc-lite), what
// each deployment could do with it, and the remedy where nothing can (doctor.hpp).
#include "commands.hpp"
#include "doctor.hpp"
#include "pcsc_readers.hpp"

#include "kamusm/ccid/descriptor.hpp"
#include "kamusm/ccid/error.hpp"

#include <iostream>

#ifdef KAMUSM_HAVE_LIBUSB
#include "kamusm/usb/libusb_device.hpp"
#endif
#ifdef KAMUSM_HAVE_PCSCLITE
#include "kamusm/pcsc/pcsclite_context.hpp"
#endif

namespace kamusm::cli {

namespace {

#ifdef KAMUSM_HAVE_LIBUSB
// Opens and claims the reader's interface the way a browser would, then lets it go.
void tryClaim(usb::LibusbDevice& device, std::uint8_t interfaceNumber, UsbReaderFinding& found) {
    try {
        runSync(device.open());
    } catch (const usb::Error& error) {
        found.openError = error.code();
        return;
    }
    try {
        runSync(device.claimInterface(interfaceNumber));
    } catch (const usb::Error& error) {
        found.claimError = error.code();
    }
    runSync(device.close());
}

void findUsbReaders(Findings& findings) {
    try {
        usb::LibusbContext context;
        for (auto& device : usb::listDevices(context)) {
            ccid::InterfaceInfo reader;
            try {
                reader = ccid::findInterface(device->activeConfiguration());
            } catch (const Error&) {
                continue; // not a CCID reader
            }
            UsbReaderFinding found{device->info(), reader.bInterfaceClass == 0x0B, {}, {}};
            tryClaim(*device, reader.bInterfaceNumber, found);
            findings.usb.push_back(std::move(found));
        }
    } catch (const usb::Error& error) {
        findings.usbUnavailable = std::string("no USB access (") + error.what() + ")";
    }
}
#else
void findUsbReaders(Findings& findings) {
    findings.usbUnavailable = "this build has no libusb";
}
#endif

#ifdef KAMUSM_HAVE_PCSCLITE
void findPcscReaders(Findings& findings) {
    try {
        auto context = pcsc::PcscLiteContext::establish();
        findings.pcscService = true;
        for (const ReaderRow& row : readerRows(*context))
            findings.pcsc.push_back({row.name, toHex(row.atr)});
    } catch (const pcsc::Error&) {
        findings.pcscService = false; // no PC/SC service answers
    }
}
#else
void findPcscReaders(Findings&) {}
#endif

} // namespace

int doctorCommand(const Arguments& arguments) {
    const bool json = hasFlag(arguments, "--json");
    if (arguments.size() > (json ? 1u : 0u)) {
        std::cerr << "usage: pinctl doctor [--json]\n"
                     "Lists the USB and PC/SC card readers of this computer and what the page,\n"
                     "the Isolated Web App and the desktop helper could do with each.\n"
                     "Exit codes: 0 some path works, 1 none does, 3 no reader.\n";
        return 2;
    }
    Findings findings;
    findUsbReaders(findings);
    findPcscReaders(findings);
    const Diagnosis diagnosis = diagnose(findings, wizard::System::Linux);
    if (json)
        std::cout << toJson(findings, diagnosis).dump(2) << '\n';
    else
        std::cout << toText(findings, diagnosis);
    return exitCodeOf(diagnosis);
}

} // namespace kamusm::cli

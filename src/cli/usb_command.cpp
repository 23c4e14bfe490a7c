// pinctl usb: card operations on a real reader through libusb (pcscd must not hold it).
#include "card_operations.hpp"

#include "kamusm/ccid/descriptor.hpp"

#include <iostream>

#ifdef KAMUSM_HAVE_LIBUSB
#include "kamusm/usb/libusb_device.hpp"
#endif

namespace kamusm::cli {

#ifdef KAMUSM_HAVE_LIBUSB

// Reading the descriptor needs no claim, so this works while pcscd holds the reader.
std::vector<std::unique_ptr<usb::LibusbDevice>> findReaders(const usb::LibusbContext& context) {
    std::vector<std::unique_ptr<usb::LibusbDevice>> found;
    for (auto& device : usb::listDevices(context)) {
        try {
            runSync(device->open());
            const Bytes bytes = runSync(usb::readConfigurationDescriptor(*device));
            runSync(device->close());
            ccid::findInterface(usb::parseConfigurationDescriptor(bytes));
            found.push_back(std::move(device));
        } catch (const Error&) {
            // not a reader, or one we may not open: skipped
        }
    }
    return found;
}

namespace {

int usbUsage() {
    std::cerr
        << "usage: pinctl usb list\n"
           "       pinctl usb [--reader N] <operation> [options]\n"
           "The reader must not be held by pcscd (stop it: systemctl stop pcscd.socket pcscd)\n"
           "and your user needs access to it (a udev rule, or root).\n"
        << operationUsage;
    return 2;
}

} // namespace

int usbCommand(const Arguments& arguments) {
    if (arguments.empty() || hasFlag(arguments, "--help")) return usbUsage();
    usb::LibusbContext context;
    auto found = findReaders(context);
    if (arguments[0] == "list") {
        for (std::size_t i = 0; i < found.size(); ++i) {
            const usb::DeviceInfo info = found[i]->info();
            std::printf("%zu: %04X:%04X %s %s\n", i, info.idVendor, info.idProduct,
                        info.manufacturer.c_str(), info.product.c_str());
        }
        if (found.empty()) std::cout << "no CCID reader found (or no permission to open one)\n";
        return 0;
    }
    std::size_t index = 0;
    Arguments rest;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        if (arguments[i] == "--reader" && i + 1 < arguments.size())
            index = std::stoul(arguments[++i]);
        else
            rest.push_back(arguments[i]);
    }
    OperationOptions options;
    if (!parseOperationOptions(rest, options)) return usbUsage();
    if (index >= found.size()) {
        std::cerr << "pinctl usb: no reader " << index << " (" << found.size() << " found)\n";
        return 1;
    }
    return runCardOperation(*found[index], options, std::cout);
}

#else

int usbCommand(const Arguments&) {
    std::cerr << "pinctl usb: this build has no libusb (install libusb-1.0-0-dev and rebuild)\n";
    return 1;
}

#endif

} // namespace kamusm::cli

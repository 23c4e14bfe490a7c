// Fuzzes the configuration descriptor walk and the CCID interface search on top of it.
#include "kamusm/ccid/descriptor.hpp"
#include "kamusm/ccid/error.hpp"
#include "kamusm/usb/descriptor.hpp"
#include "kamusm/usb/error.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace kamusm;
    try {
        const usb::ConfigurationDescriptor configuration =
            usb::parseConfigurationDescriptor(ByteView(data, size));
        ccid::findInterface(configuration);
    } catch (const usb::Error&) {
    } catch (const ccid::Error&) {
    }
    try {
        usb::parseDeviceDescriptor(ByteView(data, size));
    } catch (const usb::Error&) {
    }
    return 0;
}

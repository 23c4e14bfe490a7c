#include "kamusm/usb/descriptor.hpp"

#include "kamusm/usb/error.hpp"

#include <string>

namespace kamusm::usb {

namespace {

// bDescriptorType values (USB 2.0 table 9-5).
constexpr std::uint8_t DEVICE = 1;
constexpr std::uint8_t CONFIGURATION = 2;
constexpr std::uint8_t INTERFACE = 4;
constexpr std::uint8_t ENDPOINT = 5;

constexpr std::size_t configurationLength = 9;
constexpr std::size_t interfaceLength = 9;
constexpr std::size_t endpointLength = 7;
constexpr std::size_t deviceLength = 18;

[[noreturn]] void malformed(const std::string& reason) {
    throw Error(ErrorCode::MalformedDescriptor, reason);
}

InterfaceDescriptor parseInterface(ByteView d) {
    if (d.size() < interfaceLength)
        malformed("interface descriptor is " + std::to_string(d.size()) + " bytes, needs 9");
    InterfaceDescriptor interface;
    interface.bInterfaceNumber = d[2];
    interface.bAlternateSetting = d[3];
    interface.bInterfaceClass = d[5];
    interface.bInterfaceSubClass = d[6];
    interface.bInterfaceProtocol = d[7];
    return interface;
}

EndpointDescriptor parseEndpoint(ByteView d) {
    if (d.size() < endpointLength)
        malformed("endpoint descriptor is " + std::to_string(d.size()) + " bytes, needs 7");
    return {d[2], d[3], readLittle16(d, 4), d[6]};
}

} // namespace

ConfigurationDescriptor parseConfigurationDescriptor(ByteView bytes) {
    if (bytes.size() < configurationLength)
        malformed("configuration descriptor is " + std::to_string(bytes.size()) +
                  " bytes, needs at least 9");
    if (bytes[0] < configurationLength || bytes[1] != CONFIGURATION)
        malformed("the first descriptor is not a configuration descriptor");
    if (bytes[0] > bytes.size())
        malformed("the configuration descriptor's bLength " + std::to_string(bytes[0]) +
                  " runs past the end");
    const std::uint16_t wTotalLength = readLittle16(bytes, 2);
    if (wTotalLength != bytes.size())
        malformed("wTotalLength is " + std::to_string(wTotalLength) + " but " +
                  std::to_string(bytes.size()) + " bytes were given");

    ConfigurationDescriptor configuration;
    configuration.bConfigurationValue = bytes[5];
    configuration.bmAttributes = bytes[7];
    configuration.bMaxPower = bytes[8];

    InterfaceDescriptor* current = nullptr;
    for (std::size_t at = bytes[0]; at < bytes.size();) {
        const std::size_t bLength = bytes[at];
        if (bLength < 2)
            malformed("descriptor at offset " + std::to_string(at) + " has bLength " +
                      std::to_string(bLength));
        if (at + bLength > bytes.size())
            malformed("descriptor at offset " + std::to_string(at) + " runs " +
                      std::to_string(at + bLength - bytes.size()) + " bytes past the end");
        const ByteView descriptor = bytes.subspan(at, bLength);
        switch (descriptor[1]) {
        case INTERFACE:
            configuration.interfaces.push_back(parseInterface(descriptor));
            current = &configuration.interfaces.back();
            break;
        case ENDPOINT:
            if (!current)
                malformed("endpoint descriptor at offset " + std::to_string(at) +
                          " comes before any interface");
            current->endpoints.push_back(parseEndpoint(descriptor));
            break;
        default:
            // Class-specific descriptors (the CCID one among them, before or after the
            // endpoints) belong to the interface; those before the first interface (an
            // interface association, say) describe nothing this stack uses.
            if (current) current->extra.emplace_back(descriptor.begin(), descriptor.end());
            break;
        }
        at += bLength;
    }
    return configuration;
}

DeviceDescriptor parseDeviceDescriptor(ByteView bytes) {
    if (bytes.size() < deviceLength)
        malformed("device descriptor is " + std::to_string(bytes.size()) + " bytes, needs 18");
    if (bytes[0] < deviceLength || bytes[1] != DEVICE)
        malformed("not a device descriptor (bLength " + std::to_string(bytes[0]) +
                  ", bDescriptorType " + std::to_string(bytes[1]) + ")");
    return {readLittle16(bytes, 2),
            bytes[4],
            bytes[7],
            readLittle16(bytes, 8),
            readLittle16(bytes, 10),
            readLittle16(bytes, 12),
            bytes[17]};
}

} // namespace kamusm::usb

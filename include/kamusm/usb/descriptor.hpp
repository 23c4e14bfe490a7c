// USB standard descriptors (USB 2.0 §9.6): the configuration descriptor tree with every
// class-specific descriptor kept as raw bytes beside the interface it belongs to.
#pragma once

#include "kamusm/base/bytes.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace kamusm::usb {

enum class TransferType : std::uint8_t { Control = 0, Isochronous = 1, Bulk = 2, Interrupt = 3 };

struct EndpointDescriptor {
    std::uint8_t bEndpointAddress = 0; // bit 7: IN
    std::uint8_t bmAttributes = 0;
    std::uint16_t wMaxPacketSize = 0;
    std::uint8_t bInterval = 0;

    bool in() const { return (bEndpointAddress & 0x80) != 0; }
    std::uint8_t number() const { return bEndpointAddress & 0x0F; }
    TransferType transferType() const { return static_cast<TransferType>(bmAttributes & 0x03); }
};

struct InterfaceDescriptor {
    std::uint8_t bInterfaceNumber = 0;
    std::uint8_t bAlternateSetting = 0;
    std::uint8_t bInterfaceClass = 0;
    std::uint8_t bInterfaceSubClass = 0;
    std::uint8_t bInterfaceProtocol = 0;
    std::vector<EndpointDescriptor> endpoints;
    // Class-specific and unknown descriptors that follow the interface descriptor, whole
    // (bLength, bDescriptorType, ...), including those a reader puts after its endpoints.
    std::vector<Bytes> extra;
};

struct ConfigurationDescriptor {
    std::uint8_t bConfigurationValue = 0;
    std::uint8_t bmAttributes = 0;
    std::uint8_t bMaxPower = 0;
    std::vector<InterfaceDescriptor> interfaces;
};

// Throws usb::Error{MalformedDescriptor} on anything that does not parse: a descriptor
// running past the end, bLength < 2, wTotalLength mismatch, an endpoint outside an interface.
ConfigurationDescriptor parseConfigurationDescriptor(ByteView bytes);

struct DeviceDescriptor {
    std::uint16_t bcdUSB = 0;
    std::uint8_t bDeviceClass = 0;
    std::uint8_t bMaxPacketSize0 = 0;
    std::uint16_t idVendor = 0;
    std::uint16_t idProduct = 0;
    std::uint16_t bcdDevice = 0;
    std::uint8_t bNumConfigurations = 0;
};
DeviceDescriptor parseDeviceDescriptor(ByteView bytes);

} // namespace kamusm::usb

#include "kamusm/usb/device.hpp"

namespace kamusm::usb {

Task<Bytes> readConfigurationDescriptor(Device& device, std::uint8_t index) {
    constexpr Milliseconds timeout{1000};
    const ControlSetup setup{RequestType::Standard, Recipient::Device, GET_DESCRIPTOR,
                             static_cast<std::uint16_t>(DESCRIPTOR_CONFIGURATION << 8 | index), 0};
    Bytes header = co_await device.controlTransferIn(setup, 9, timeout);
    if (header.size() < 4 || header[1] != DESCRIPTOR_CONFIGURATION)
        throw Error(ErrorCode::MalformedDescriptor, "configuration descriptor header is malformed");
    const std::uint16_t wTotalLength = readLittle16(header, 2);
    Bytes whole = co_await device.controlTransferIn(setup, wTotalLength, timeout);
    if (whole.size() != wTotalLength)
        throw Error(ErrorCode::MalformedDescriptor,
                    "configuration descriptor is " + std::to_string(whole.size()) +
                        " bytes, wTotalLength says " + std::to_string(wTotalLength));
    co_return whole;
}

} // namespace kamusm::usb

#include "kamusm/usb/libusb_device.hpp"

#include <libusb.h>

#include <algorithm>
#include <array>

namespace kamusm::usb {

namespace {

// libusb's error codes to ours, as a table.
struct LibusbErrorRow {
    int libusbError;
    ErrorCode code;
};
constexpr std::array<LibusbErrorRow, 6> libusbErrors{{
    {LIBUSB_ERROR_TIMEOUT, ErrorCode::Timeout},
    {LIBUSB_ERROR_PIPE, ErrorCode::Stall},
    {LIBUSB_ERROR_NO_DEVICE, ErrorCode::Disconnected},
    {LIBUSB_ERROR_ACCESS, ErrorCode::OpenDenied},
    {LIBUSB_ERROR_BUSY, ErrorCode::Busy},
    {LIBUSB_ERROR_NOT_FOUND, ErrorCode::NotFound},
}};

void check(int result, const char* what) {
    if (result >= 0) return;
    ErrorCode code = ErrorCode::Io;
    for (const LibusbErrorRow& row : libusbErrors)
        if (row.libusbError == result) code = row.code;
    throw Error(code, std::string(what) + ": " + libusb_strerror(result));
}

unsigned int milliseconds(Milliseconds timeout) {
    return static_cast<unsigned int>(std::max<Milliseconds::rep>(1, timeout.count()));
}

std::uint8_t bmRequestType(const ControlSetup& setup, bool in) {
    return static_cast<std::uint8_t>((in ? 0x80 : 0x00) |
                                     static_cast<std::uint8_t>(setup.requestType) |
                                     static_cast<std::uint8_t>(setup.recipient));
}

std::string stringDescriptor(libusb_device_handle* handle, std::uint8_t index) {
    if (!handle || index == 0) return {};
    std::array<unsigned char, 256> text{};
    const int length = libusb_get_string_descriptor_ascii(handle, index, text.data(), text.size());
    return length > 0 ? std::string(reinterpret_cast<const char*>(text.data()),
                                    static_cast<std::size_t>(length))
                      : std::string();
}

// libusb's `extra` bytes: descriptors one after another, each starting with its bLength.
void splitDescriptors(const unsigned char* bytes, int length, std::vector<Bytes>& into) {
    for (int at = 0; at + 2 <= length && bytes[at] >= 2 && at + bytes[at] <= length;
         at += bytes[at])
        into.emplace_back(bytes + at, bytes + at + bytes[at]);
}

} // namespace

LibusbContext::LibusbContext() {
    check(libusb_init(&context_), "libusb_init");
}
LibusbContext::~LibusbContext() {
    libusb_exit(context_);
}

LibusbDevice::LibusbDevice(libusb_device* device) : device_(libusb_ref_device(device)) {
    libusb_device_descriptor descriptor{};
    check(libusb_get_device_descriptor(device_, &descriptor), "reading the device descriptor");
    info_.idVendor = descriptor.idVendor;
    info_.idProduct = descriptor.idProduct;
    info_.bcdDevice = descriptor.bcdDevice;
    // Strings need an open handle; readers we may not open keep them empty.
    libusb_device_handle* probe = nullptr;
    if (libusb_open(device_, &probe) == 0) {
        info_.manufacturer = stringDescriptor(probe, descriptor.iManufacturer);
        info_.product = stringDescriptor(probe, descriptor.iProduct);
        info_.serialNumber = stringDescriptor(probe, descriptor.iSerialNumber);
        libusb_close(probe);
    }
}

LibusbDevice::~LibusbDevice() {
    if (handle_) {
        for (std::uint8_t number : claimed_)
            libusb_release_interface(handle_, number);
        libusb_close(handle_);
    }
    libusb_unref_device(device_);
}

DeviceInfo LibusbDevice::info() const {
    return info_;
}

libusb_device_handle* LibusbDevice::handle() const {
    if (!handle_) throw Error(ErrorCode::NotFound, "the device is not open");
    return handle_;
}

ConfigurationDescriptor LibusbDevice::activeConfiguration() const {
    libusb_config_descriptor* config = nullptr;
    check(libusb_get_active_config_descriptor(device_, &config), "reading the configuration");
    ConfigurationDescriptor parsed;
    parsed.bConfigurationValue = config->bConfigurationValue;
    parsed.bmAttributes = config->bmAttributes;
    parsed.bMaxPower = config->MaxPower;
    for (int i = 0; i < config->bNumInterfaces; ++i) {
        const libusb_interface& interface = config->interface[i];
        for (int a = 0; a < interface.num_altsetting; ++a) {
            const libusb_interface_descriptor& alternate = interface.altsetting[a];
            InterfaceDescriptor shown;
            shown.bInterfaceNumber = alternate.bInterfaceNumber;
            shown.bAlternateSetting = alternate.bAlternateSetting;
            shown.bInterfaceClass = alternate.bInterfaceClass;
            shown.bInterfaceSubClass = alternate.bInterfaceSubClass;
            shown.bInterfaceProtocol = alternate.bInterfaceProtocol;
            splitDescriptors(alternate.extra, alternate.extra_length, shown.extra);
            for (int e = 0; e < alternate.bNumEndpoints; ++e) {
                const libusb_endpoint_descriptor& endpoint = alternate.endpoint[e];
                shown.endpoints.push_back({endpoint.bEndpointAddress, endpoint.bmAttributes,
                                           endpoint.wMaxPacketSize, endpoint.bInterval});
                // Some readers put their CCID descriptor after the endpoints.
                splitDescriptors(endpoint.extra, endpoint.extra_length, shown.extra);
            }
            parsed.interfaces.push_back(std::move(shown));
        }
    }
    libusb_free_config_descriptor(config);
    return parsed;
}

Task<void> LibusbDevice::open() {
    if (!handle_) check(libusb_open(device_, &handle_), "opening the reader");
    co_return;
}

Task<void> LibusbDevice::close() {
    if (handle_) {
        for (std::uint8_t number : claimed_)
            libusb_release_interface(handle_, number);
        claimed_.clear();
        libusb_close(handle_);
        handle_ = nullptr;
    }
    co_return;
}

Task<void> LibusbDevice::selectConfiguration(std::uint8_t configurationValue) {
    int current = 0;
    check(libusb_get_configuration(handle(), &current), "reading the configuration");
    if (current != configurationValue)
        check(libusb_set_configuration(handle(), configurationValue),
              "selecting the configuration");
    co_return;
}

Task<void> LibusbDevice::claimInterface(std::uint8_t interfaceNumber) {
    // A kernel driver bound to the interface (rare for CCID) is detached for the session.
    libusb_set_auto_detach_kernel_driver(handle(), 1);
    check(libusb_claim_interface(handle(), interfaceNumber),
          "claiming the reader interface (is pcscd running?)");
    claimed_.push_back(interfaceNumber);
    co_return;
}

Task<void> LibusbDevice::releaseInterface(std::uint8_t interfaceNumber) {
    check(libusb_release_interface(handle(), interfaceNumber), "releasing the interface");
    std::erase(claimed_, interfaceNumber);
    co_return;
}

Task<Bytes> LibusbDevice::controlTransferIn(ControlSetup setup, std::uint16_t length,
                                            Milliseconds timeout) {
    Bytes data(length);
    const int received =
        libusb_control_transfer(handle(), bmRequestType(setup, true), setup.bRequest, setup.wValue,
                                setup.wIndex, data.data(), length, milliseconds(timeout));
    check(received, "control transfer in");
    data.resize(static_cast<std::size_t>(received));
    co_return data;
}

Task<void> LibusbDevice::controlTransferOut(ControlSetup setup, ByteView data,
                                            Milliseconds timeout) {
    Bytes copy(data.begin(), data.end());
    check(libusb_control_transfer(handle(), bmRequestType(setup, false), setup.bRequest,
                                  setup.wValue, setup.wIndex, copy.data(),
                                  static_cast<std::uint16_t>(copy.size()), milliseconds(timeout)),
          "control transfer out");
    co_return;
}

// Bulk or interrupt by the endpoint's type, as WebUSB's transferIn does.
static bool isInterrupt(libusb_device* device, std::uint8_t address) {
    libusb_config_descriptor* configuration = nullptr;
    if (libusb_get_active_config_descriptor(device, &configuration) != 0) return false;
    bool interrupt = false;
    for (int i = 0; i < configuration->bNumInterfaces; ++i)
        for (int a = 0; a < configuration->interface[i].num_altsetting; ++a) {
            const libusb_interface_descriptor& alt = configuration->interface[i].altsetting[a];
            for (int e = 0; e < alt.bNumEndpoints; ++e)
                if (alt.endpoint[e].bEndpointAddress == address)
                    interrupt =
                        (alt.endpoint[e].bmAttributes & 0x03) == LIBUSB_TRANSFER_TYPE_INTERRUPT;
        }
    libusb_free_config_descriptor(configuration);
    return interrupt;
}

Task<Bytes> LibusbDevice::transferIn(std::uint8_t endpointNumber, std::size_t length,
                                     Milliseconds timeout) {
    const auto address = static_cast<unsigned char>(0x80 | endpointNumber);
    Bytes data(length);
    int received = 0;
    const auto transfer =
        isInterrupt(device_, address) ? libusb_interrupt_transfer : libusb_bulk_transfer;
    check(transfer(handle(), address, data.data(), static_cast<int>(length), &received,
                   milliseconds(timeout)),
          "reading from the reader");
    data.resize(static_cast<std::size_t>(received));
    co_return data;
}

Task<void> LibusbDevice::transferOut(std::uint8_t endpointNumber, ByteView data,
                                     Milliseconds timeout) {
    Bytes copy(data.begin(), data.end());
    int sent = 0;
    check(libusb_bulk_transfer(handle(), endpointNumber, copy.data(), static_cast<int>(copy.size()),
                               &sent, milliseconds(timeout)),
          "writing to the reader");
    wipe(copy); // may have carried a PIN
    if (static_cast<std::size_t>(sent) != data.size())
        throw Error(ErrorCode::Io, "the reader took " + std::to_string(sent) + " of " +
                                       std::to_string(data.size()) + " bytes");
    co_return;
}

Task<void> LibusbDevice::clearHalt(bool in, std::uint8_t endpointNumber) {
    check(libusb_clear_halt(handle(),
                            static_cast<unsigned char>((in ? 0x80 : 0x00) | endpointNumber)),
          "clearing the endpoint halt");
    co_return;
}

Task<void> LibusbDevice::reset() {
    check(libusb_reset_device(handle()), "resetting the reader");
    co_return;
}

std::vector<std::unique_ptr<LibusbDevice>> listDevices(const LibusbContext& context) {
    libusb_device** list = nullptr;
    const ssize_t count = libusb_get_device_list(context.get(), &list);
    check(static_cast<int>(count), "listing USB devices");
    std::vector<std::unique_ptr<LibusbDevice>> devices;
    for (ssize_t i = 0; i < count; ++i)
        devices.push_back(std::make_unique<LibusbDevice>(list[i]));
    libusb_free_device_list(list, 1);
    return devices;
}

} // namespace kamusm::usb

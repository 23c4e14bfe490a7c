// The Web Smart Card API's enums and dictionaries (WICG web-smart-card IDL) as JSON, the form in
// which they cross to JavaScript (navigator.smartCard) and to the desktop helper's native
// messaging host: one codec, so that both sides read and write exactly the IDL's names. Byte
// strings (answerToReset, APDUs) are JSON arrays of numbers.
#pragma once

#include "kamusm/pcsc/context.hpp"

#include "kamusm/base/json.hpp"

#include <optional>
#include <string_view>

namespace kamusm::pcsc {

// SmartCardAccessMode, SmartCardProtocol, SmartCardDisposition by their IDL names.
std::string_view nameOf(AccessMode mode);
std::string_view nameOf(Protocol protocol);
std::string_view nameOf(Disposition disposition);
std::optional<AccessMode> accessModeNamed(std::string_view name);
std::optional<Protocol> protocolNamed(std::string_view name);
std::optional<Disposition> dispositionNamed(std::string_view name);

// The readers of dictionaries throw pcsc::Error{UnknownError} on a value of the wrong type or an
// unknown name: they read what another program wrote.
json::Value toJson(const ReaderStateIn& state);     // SmartCardReaderStateIn
json::Value toJson(const ReaderStateOut& state);    // SmartCardReaderStateOut
json::Value toJson(const ConnectionStatus& status); // SmartCardConnectionStatus
ReaderStateIn readerStateIn(const json::Value& state);
ReaderStateOut readerStateOut(const json::Value& state);
ConnectionStatus connectionStatus(const json::Value& status);
// A byte string as a JSON array of numbers 0–255, and back.
Bytes bytesOf(const json::Value& array);
json::Value bytesJson(ByteView bytes);

} // namespace kamusm::pcsc

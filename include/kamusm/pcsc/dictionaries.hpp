// The Web Smart Card API's enums and dictionaries (WICG web-smart-card IDL) as JSON, the form in
// which they cross to JavaScript (navigator.smartCard) and to the desktop helper's native
// messaging host: one codec, so that both sides read and write exactly the IDL's names. Byte
// strings (answerToReset, APDUs) are JSON arrays of numbers.
#pragma once

#include "kamusm/pcsc/context.hpp"

#include <nlohmann/json.hpp>

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
nlohmann::json toJson(const ReaderStateIn& state);     // SmartCardReaderStateIn
nlohmann::json toJson(const ReaderStateOut& state);    // SmartCardReaderStateOut
nlohmann::json toJson(const ConnectionStatus& status); // SmartCardConnectionStatus
ReaderStateIn readerStateIn(const nlohmann::json& state);
ReaderStateOut readerStateOut(const nlohmann::json& state);
ConnectionStatus connectionStatus(const nlohmann::json& status);
// A JSON array of numbers 0–255.
Bytes bytesOf(const nlohmann::json& array);

} // namespace kamusm::pcsc

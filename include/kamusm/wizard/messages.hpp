// Every text the wizard's screens show, once in Turkish and once in English: step titles and
// instructions, each error and PIN rule with what to do, the success text and the warnings.
#pragma once

#include "kamusm/backend/api.hpp"
#include "kamusm/wizard/errors.hpp"
#include "kamusm/wizard/pin_policy.hpp"
#include "kamusm/wizard/wizard.hpp"

#include <array>
#include <string_view>

namespace kamusm::wizard {

enum class Language { Turkish, English };

std::string_view message(WizardError error, Language language);
std::string_view message(PinProblem problem, Language language);
std::string_view stepTitle(Step step, Language language);
std::string_view stepInstruction(Step step, Language language);
// The Working step's progress in words ("" for WorkPhase::None).
std::string_view workPhaseText(WorkPhase phase, Language language);
// "PIN Oluşturma", "PIN Değiştirme", "Kilit Çözme" and their English names.
std::string_view operationName(backend::Operation operation, Language language);
// The Done step's text after a successful operation.
std::string_view successText(backend::Operation operation, Language language);
// What a card taken out during the card work left on it, and what to do.
std::string_view interruptionText(Interruption interruption, Language language);
// "Kart okuyucu: işletim sistemi üzerinden" / "… doğrudan USB" / "… sanal (deneme)".
std::string_view transportText(reader::TransportKind transport, Language language);
// What every holder must know about the PIN, shown on the Done step.
const std::array<std::string_view, 4>& pinWarnings(Language language);

} // namespace kamusm::wizard

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/config/yaml_node.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace meshcraft::core::config {

/// What evaluating one CEL rule gave. `Error` is a runtime error of the expression (the API
/// server reports "<error> evaluating rule: <message>"), with cel-go's text in `error`.
struct CelOutcome
{
    enum Verdict { Pass, Fail, Error };
    Verdict verdict = Pass;
    std::string error;
};

/// A hand-written C++ version of one x-kubernetes-validations rule of Istio's CRDs. `self` is
/// the value the rule is attached to; the structural checks have already passed, so its type is
/// the schema's.
struct CelRuleImpl
{
    std::string_view rule; ///< the rule text as the schema writes it (whitespace-normalised)
    std::string_view code; ///< diagnostic code: "schema.cel", or "schema.duration"
    CelOutcome (*evaluate)(const Node &self);
};

/// All implemented rules (those of ServiceEntry, Gateway, DestinationRule, VirtualService and
/// Sidecar in Istio 1.30.3).
std::span<const CelRuleImpl> celRuleTable();
/// The implementation of a rule text (runs of whitespace count as one space); nullptr if none.
const CelRuleImpl *findCelRule(std::string_view ruleText);

/// The length of UTF-8 text in code points, as CEL's size() and OpenAPI's maxLength count it.
std::size_t codePoints(std::string_view text);

/// Go's time.ParseDuration ("10s", "1h2m", "500ms", "1.5s", "-2m", "0"): nanoseconds, or nullopt
/// when Go would refuse the text (bad syntax, unknown unit, out of int64 range).
std::optional<std::int64_t> parseGoDuration(std::string_view text);

} // namespace meshcraft::core::config

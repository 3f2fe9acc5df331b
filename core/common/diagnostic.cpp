// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/common/diagnostic.h"

#include <algorithm>

namespace meshcraft::core::common {

const char *severityName(Severity severity)
{
    switch (severity) {
    case Severity::Error:
        return "error";
    case Severity::Warning:
        return "warning";
    case Severity::Info:
        return "note";
    }
    return "error";
}

std::string Diagnostic::toString() const
{
    std::string out = location.file.empty() ? std::string("<input>") : location.file;
    if (location.isKnown()) {
        out += ':' + std::to_string(location.line) + ':' + std::to_string(location.column);
    }
    out += ": ";
    out += severityName(severity);
    out += ": ";
    out += message;
    if (!code.empty()) {
        out += " [" + code + "]";
    }
    return out;
}

bool hasErrors(const Diagnostics &diagnostics)
{
    return std::any_of(diagnostics.begin(), diagnostics.end(),
                       [](const Diagnostic &d) { return d.severity == Severity::Error; });
}

std::string formatDiagnostics(const Diagnostics &diagnostics)
{
    std::string out;
    for (const Diagnostic &d : diagnostics) {
        out += d.toString();
        out += '\n';
    }
    return out;
}

} // namespace meshcraft::core::common

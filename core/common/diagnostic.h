// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <vector>

namespace meshcraft::core::common {

/// A 1-based position in a named source (a file path, "<stdin>", or an editor buffer name).
/// line == 0 means "no position known"; the file alone is still reported.
struct SourceLocation
{
    std::string file;
    int line = 0;
    int column = 0;

    bool isKnown() const { return line > 0; }
    bool operator==(const SourceLocation &) const = default;
};

enum class Severity { Error, Warning, Info };

const char *severityName(Severity severity);

/// One problem found in user input. `code` is stable (e.g. "istio.invalid-address") so tests and
/// the UI can key on it; `message` is the human text, in the words of the tool we imitate.
/// `path` is the field path inside the document, e.g. "spec.ports[0].name".
struct Diagnostic
{
    Severity severity = Severity::Error;
    std::string code;
    std::string message;
    SourceLocation location;
    std::string path;

    /// GCC style, clickable in editors: `file:line:col: error: message [code]`.
    std::string toString() const;
    bool operator==(const Diagnostic &) const = default;
};

using Diagnostics = std::vector<Diagnostic>;

bool hasErrors(const Diagnostics &diagnostics);
std::string formatDiagnostics(const Diagnostics &diagnostics);

} // namespace meshcraft::core::common

// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/config/validator.h"

#include "core/config/schema_validation.h"

#include <algorithm>

namespace meshcraft::core::config {

using common::Diagnostic;
using common::Diagnostics;
using common::Severity;

namespace {

bool isSchemaDiagnostic(const Diagnostic &diagnostic)
{
    return diagnostic.code.rfind("schema.", 0) == 0;
}

// Errors and warnings by position; notes (such as "some rules were not checked") after them.
void sortByPosition(Diagnostics &diagnostics)
{
    std::stable_sort(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic &a, const Diagnostic &b) {
                         if (a.location.file != b.location.file) {
                             return false; // keep files in the order they were read
                         }
                         const bool aNote = a.severity == Severity::Info;
                         const bool bNote = b.severity == Severity::Info;
                         if (aNote != bNote) {
                             return bNote;
                         }
                         if (a.location.line != b.location.line) {
                             return a.location.line < b.location.line;
                         }
                         return a.location.column < b.location.column;
                     });
}

std::string quote(std::string_view text)
{
    return "\"" + std::string(text) + "\"";
}

// kubectl's text for an API server 422: one cause inline, several as a bulleted list.
std::string apiServerInvalid(const Resource &resource, const Diagnostics &errors)
{
    std::vector<std::string> causes;
    for (const Diagnostic &error : errors) {
        if (error.severity == Severity::Error && isSchemaDiagnostic(error)) {
            causes.push_back(error.message);
        }
    }
    std::string out = "The " + std::string(resource.info().name) + " " +
                      quote(resource.metadata.name) + " is invalid: ";
    if (causes.size() == 1) {
        return out + causes.front();
    }
    for (const std::string &cause : causes) {
        out += "\n* " + cause;
    }
    return out;
}

} // namespace

Validator::Validator(IstioValidationOptions options) : m_options(std::move(options)) {}

Diagnostics Validator::validate(const Resource &resource) const
{
    Diagnostics diagnostics = validateAgainstSchema(resource);
    Diagnostics webhook = validateIstioResource(resource, m_options);
    diagnostics.insert(diagnostics.end(), std::make_move_iterator(webhook.begin()),
                       std::make_move_iterator(webhook.end()));
    return diagnostics;
}

std::string Validator::refusalLine(const Resource &resource, const Diagnostics &errors,
                                   std::string_view verb, std::string_view source) const
{
    const bool schemaRefused = std::any_of(errors.begin(), errors.end(), [](const auto &d) {
        return d.severity == Severity::Error && isSchemaDiagnostic(d);
    });
    if (schemaRefused) {
        return apiServerInvalid(resource, errors);
    }
    return ResourceValidator::refusalLine(resource, errors, verb, source);
}

TextValidation validateText(std::string_view text, const std::string &fileName,
                            const IstioValidationOptions &options)
{
    TextValidation result;
    ParseResult parsed = parseResources(text, fileName);
    result.diagnostics = std::move(parsed.diagnostics);
    const Validator validator(options);
    for (const Resource &resource : parsed.resources) {
        ++result.resourceCount;
        Diagnostics found = validator.validate(resource);
        result.diagnostics.insert(result.diagnostics.end(), found.begin(), found.end());
    }
    sortByPosition(result.diagnostics);
    return result;
}

} // namespace meshcraft::core::config

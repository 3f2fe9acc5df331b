// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/config/kubectl_messages.h"

#include "core/config/validation_primitives.h"

namespace meshcraft::core::config {

using common::Severity;

std::string multiErrorText(const std::vector<std::string> &errors)
{
    if (errors.empty()) {
        return {};
    }
    if (errors.size() == 1) {
        // Istio's appendErrors keeps a lone error as it is.
        return errors.front();
    }
    std::string out = std::to_string(errors.size()) + " errors occurred:";
    for (const std::string &error : errors) {
        out += "\n\t* " + error;
    }
    out += "\n\n";
    return out;
}

std::string webhookDenialMessage(const common::Diagnostics &diagnostics)
{
    std::vector<std::string> errors;
    for (const common::Diagnostic &diagnostic : diagnostics) {
        if (diagnostic.severity == Severity::Error) {
            errors.push_back(diagnostic.message);
        }
    }
    if (errors.empty()) {
        return {};
    }
    return "configuration is invalid: " + multiErrorText(errors);
}

std::string admissionDenial(std::string_view webhookName, std::string_view message)
{
    return "admission webhook " + detail::goQuote(webhookName) +
           " denied the request: " + std::string(message);
}

namespace {

// cli-runtime's GroupVersionResource.String() and GroupVersionKind.String().
std::string objectText(const KubectlObjectRef &object)
{
    const std::string groupVersion = object.group + "/" + object.version;
    return "Resource: " + detail::goQuote(groupVersion + ", Resource=" + object.resource) +
           ", GroupVersionKind: " + detail::goQuote(groupVersion + ", Kind=" + object.kind) +
           "\nName: " + detail::goQuote(object.name) +
           ", Namespace: " + detail::goQuote(object.nameSpace);
}

std::string verbText(const KubectlRequest &request)
{
    switch (request.verb) {
    case KubectlVerb::Create:
        return "creating";
    case KubectlVerb::ApplyPatch:
        return "applying patch:\n" + request.patch + "\nto:\n" + objectText(request.object) +
               "\nfor:";
    case KubectlVerb::Replace:
        return "replacing";
    case KubectlVerb::Delete:
        return "deleting";
    }
    return "creating";
}

} // namespace

std::string kubectlServerError(const KubectlRequest &request, std::string_view message,
                               std::string_view reason)
{
    std::string out = "Error from server";
    if (!reason.empty()) {
        out += " (" + std::string(reason) + ")";
    }
    out += ": ";
    if (!request.source.empty()) {
        out += "error when " + verbText(request) + " " + detail::goQuote(request.source) + ": ";
    }
    out += message;
    if (out.empty() || out.back() != '\n') {
        out += '\n';
    }
    return out;
}

std::string kubectlWebhookDenial(const KubectlRequest &request,
                                 const common::Diagnostics &diagnostics,
                                 std::string_view webhookName)
{
    const std::string denial = webhookDenialMessage(diagnostics);
    if (denial.empty()) {
        return {};
    }
    return kubectlServerError(request, admissionDenial(webhookName, denial));
}

std::string kubectlWarnings(const common::Diagnostics &diagnostics)
{
    std::string out;
    for (const common::Diagnostic &diagnostic : diagnostics) {
        if (diagnostic.severity == Severity::Warning) {
            out += "Warning: " + diagnostic.message + "\n";
        }
    }
    return out;
}

} // namespace meshcraft::core::config

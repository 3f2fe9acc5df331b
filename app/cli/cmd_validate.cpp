// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/cmd_validate.h"

#include "core/common/text.h"
#include "core/config/validator.h"

#include <cerrno>
#include <cstring>
#include <iostream>
#include <iterator>

namespace meshcraft::app::cli {

namespace {

constexpr const char *Usage =
    "Usage: meshcraft validate [-n NAMESPACE] FILE...\n"
    "\n"
    "Checks Istio and Kubernetes YAML the way a cluster would before storing it: the API\n"
    "server's CRD schema (Istio 1.30.3) and Istio's validating webhook. Every problem is\n"
    "printed as file:line:column: severity: message [code]. Use - to read standard input.\n"
    "\n"
    "Options:\n"
    "  -n, --namespace NS   namespace for objects that do not name one (default: default)\n"
    "\n"
    "Exit status: 0 when no errors (warnings allowed), 1 when any error, 2 on a usage error\n"
    "or an unreadable file.\n";

int runValidate(Invocation &invocation)
{
    const OptionParser options(invocation.args, {}, {"-n", "--namespace"});
    if (!options.ok()) {
        return usageError(invocation, "validate", options.error());
    }
    if (options.positionals().empty()) {
        return usageError(invocation, "validate", "no FILE given");
    }
    core::config::IstioValidationOptions validation;
    if (const auto ns = options.value("--namespace").value_or(options.value("-n").value_or(""));
        !ns.empty()) {
        validation.defaultNamespace = ns;
    }
    bool anyError = false;
    for (const std::string &path : options.positionals()) {
        std::string text;
        if (!readInput(invocation, "validate", path, text)) {
            return ExitUsage;
        }
        const std::string name = path == "-" ? "<stdin>" : path;
        const auto result = core::config::validateText(text, name, validation);
        invocation.out << core::common::formatDiagnostics(result.diagnostics);
        anyError = anyError || core::common::hasErrors(result.diagnostics);
    }
    return anyError ? ExitFailure : ExitOk;
}

} // namespace

bool readInput(Invocation &invocation, const char *command, const std::string &path,
               std::string &text)
{
    if (path == "-") {
        text.assign(std::istreambuf_iterator<char>(invocation.in), {});
        return true;
    }
    errno = 0;
    if (auto content = core::common::readFile(path)) {
        text = std::move(*content);
        return true;
    }
    const int error = errno;
    invocation.err << "meshcraft " << command << ": cannot read " << path << ": "
                   << (error ? std::strerror(error) : "unreadable file") << "\n";
    return false;
}

const Command &validateCommand()
{
    static const Command command{"validate", "check Istio/Kubernetes YAML; file:line:col output",
                                 Usage, runValidate};
    return command;
}

} // namespace meshcraft::app::cli

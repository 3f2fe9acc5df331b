// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/common/diagnostic.h"

#include <string>
#include <string_view>
#include <vector>

namespace meshcraft::core::config {

/// The name current Istio registers its validating webhook under (D1).
inline constexpr std::string_view IstioWebhookName = "validation.istio.io";

/// What kubectl was doing when the server refused; it picks the words of `error when …`
/// (kubectl `AddSourceToErr`, tool-outputs.md §2.2).
enum class KubectlVerb {
    Create,     ///< `kubectl create`, and `kubectl apply` of an object that does not exist yet:
                ///< "creating"
    ApplyPatch, ///< `kubectl apply` of an object that exists: "applying patch:\n<patch>\nto:\n
                ///< <object>\nfor:"
    Replace,    ///< `kubectl replace`: "replacing"
    Delete,     ///< `kubectl delete -f`: "deleting"
};

/// The object kubectl names in an apply-patch error (cli-runtime `resource.Info.String()`).
struct KubectlObjectRef
{
    std::string group;    ///< "networking.istio.io"; "" for the core group
    std::string version;  ///< "v1alpha3"
    std::string resource; ///< the plural, "serviceentries"
    std::string kind;     ///< "ServiceEntry"
    std::string name;
    std::string nameSpace;
};

/// One kubectl request that the server refused.
struct KubectlRequest
{
    KubectlVerb verb = KubectlVerb::Create;
    /// The `-f` source as kubectl names it ("redis-serviceentry.yaml", "/dev/fd/63", "STDIN").
    /// Empty when the object did not come from a file: kubectl then adds no `error when` part.
    std::string source;
    /// For ApplyPatch: the object and the patch kubectl sent.
    KubectlObjectRef object;
    std::string patch;
};

/// How Istio joins its errors: one error is its bare text; several use hashicorp/go-multierror's
/// list format, `N errors occurred:\n\t* e1\n\t* e2\n\n`. Empty for no errors.
std::string multiErrorText(const std::vector<std::string> &errors);

/// The webhook's denial text for a set of diagnostics: `configuration is invalid: <errors>`,
/// from the error diagnostics only, in order (warnings are not part of a denial). Empty when
/// there is no error.
std::string webhookDenialMessage(const common::Diagnostics &diagnostics);

/// The API server's wrapping of a webhook denial:
/// `admission webhook "<name>" denied the request: <message>`.
std::string admissionDenial(std::string_view webhookName, std::string_view message);

/// What kubectl prints on stderr for a server error (`StandardErrorMessage` plus
/// `AddSourceToErr`): `Error from server[ (<reason>)]: [error when <verb> "<source>": ]<message>`,
/// ending in exactly the newline(s) kubectl writes (a multierror's own blank line is kept).
std::string kubectlServerError(const KubectlRequest &request, std::string_view message,
                               std::string_view reason = {});

/// The whole stderr text of a webhook denial for these diagnostics, e.g.
/// `Error from server: error when creating "redis-serviceentry.yaml": admission webhook
/// "validation.istio.io" denied the request: configuration is invalid: REDIS_ENDPOINT is not a
/// valid IP\n`. Empty when the diagnostics hold no error (the request was admitted).
std::string kubectlWebhookDenial(const KubectlRequest &request,
                                 const common::Diagnostics &diagnostics,
                                 std::string_view webhookName = IstioWebhookName);

/// The admission warnings kubectl prints on stderr when the request is admitted, one
/// `Warning: <text>` line each, in order. Empty when there are none.
std::string kubectlWarnings(const common::Diagnostics &diagnostics);

} // namespace meshcraft::core::config

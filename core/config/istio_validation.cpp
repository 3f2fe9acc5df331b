// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/config/istio_validation.h"

#include "core/config/validate_kinds_p.h"
#include "core/config/validation_context.h"

namespace meshcraft::core::config {

common::Diagnostics validateIstioResource(const Resource &resource,
                                          const IstioValidationOptions &options)
{
    common::Diagnostics out;
    const std::string nameSpace = resource.metadata.nameSpace.empty() ? options.defaultNamespace
                                                                      : resource.metadata.nameSpace;
    detail::ValidationContext context(resource, nameSpace, out);
    switch (resource.kind) {
    case Kind::ServiceEntry:
        detail::validateServiceEntry(context);
        break;
    case Kind::Gateway:
        detail::validateGateway(context);
        break;
    case Kind::DestinationRule:
        detail::validateDestinationRule(context);
        break;
    case Kind::VirtualService:
        detail::validateVirtualService(context);
        break;
    case Kind::Sidecar:
        detail::validateSidecar(context);
        break;
    case Kind::Namespace:
    case Kind::Pod:
    case Kind::Deployment:
    case Kind::Service:
    case Kind::ConfigMap:
        break;
    }
    return out;
}

common::Diagnostics validateIstioResources(const std::vector<Resource> &resources,
                                           const IstioValidationOptions &options)
{
    common::Diagnostics out;
    for (const Resource &resource : resources) {
        common::Diagnostics one = validateIstioResource(resource, options);
        out.insert(out.end(), one.begin(), one.end());
    }
    return out;
}

} // namespace meshcraft::core::config

// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/shell/tools/world_tools.h"

#include "core/shell/tools/gcloud.h"
#include "core/shell/tools/helm.h"
#include "core/shell/tools/istioctl.h"
#include "core/shell/tools/kubectl.h"

namespace meshcraft::core::shell::tools {

std::shared_ptr<ToolState> registerWorldTools(CommandRegistry &registry, World &world,
                                              WorldToolsOptions options)
{
    auto state = std::make_shared<ToolState>(world);
    state->onProbeFinished = std::move(options.onProbeFinished);
    registry.add(std::make_shared<Gcloud>(state));
    registry.add(std::make_shared<Kubectl>(state));
    registry.add(std::make_shared<Istioctl>(state));
    registry.add(std::make_shared<Helm>(state));
    return state;
}

std::shared_ptr<ToolState> registerWorldTools(Interpreter &interpreter, World &world,
                                              WorldToolsOptions options)
{
    auto state =
        registerWorldTools(interpreter.hostContext().commands(), world, std::move(options));
    std::weak_ptr<ToolState> weak = state;
    interpreter.setResourceNameProvider(
        [weak](std::string_view resourceType, std::string_view nameSpace) {
            auto locked = weak.lock();
            return locked ? kubectlResourceNames(*locked, resourceType, nameSpace)
                          : std::vector<std::string>{};
        });
    return state;
}

void installIstioChart(VirtualFs &fs, const std::string &workshopHome,
                       const std::string &istioVersion)
{
    const std::string chart =
        workshopHome + "/istio-" + istioVersion + "/install/kubernetes/helm/istio";
    (void)fs.makeDirectory(chart, true);
    (void)fs.writeFile(chart + "/Chart.yaml",
                       "apiVersion: v1\n"
                       "appVersion: " +
                           istioVersion +
                           "\n"
                           "description: Helm chart for all istio components\n"
                           "engine: gotpl\n"
                           "icon: https://istio.io/favicons/android-192x192.png\n"
                           "keywords:\n"
                           "  - istio\n"
                           "  - security\n"
                           "  - sidecarInjectorWebhook\n"
                           "  - mixer\n"
                           "  - pilot\n"
                           "  - galley\n"
                           "name: istio\n"
                           "sources:\n"
                           "  - http://github.com/istio/istio\n"
                           "tillerVersion: \">=2.7.2\"\n"
                           "version: " +
                           istioVersion + "\n");
}

} // namespace meshcraft::core::shell::tools

// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/shell/shell_context.h"
#include "core/shell/tools/tool_state.h"

#include <memory>
#include <string>

namespace meshcraft::core::mesh {
struct PodView;
}

namespace meshcraft::core::shell::tools {

/// What a container's image offers in its shell (D6).
enum class ImageFlavor {
    Busybox, ///< busybox: ash applets, telnet and nc
    Redis,   ///< redis:alpine: busybox applets, nc and redis-cli (no telnet)
    Other,   ///< anything else: the applets only
};

ImageFlavor imageFlavor(const std::string &image);

struct PodShellOptions
{
    std::string nameSpace;
    std::string pod;
    std::string container;             ///< the container exec'd into
    std::string image;                 ///< its image
    std::string shellName = "/bin/sh"; ///< $0, the prefix of `not found`
    bool tty = true;                   ///< without a TTY ash shows no prompt
    /// `kubectl exec -i`: the terminal's lines reach the pod. Without it a program in the pod
    /// reads end of input at once (telnet then exits 0, nc half-closes).
    bool stdinAttached = true;
};

/// A pod's shell for `kubectl exec`: ash with the pod's own filesystem, the pod's env only (D7),
/// and the image's commands; telnet, nc and redis-cli run as probes from the pod.
std::unique_ptr<ShellContext> makePodShell(ToolState &state, const mesh::PodView &pod,
                                           const PodShellOptions &options);

} // namespace meshcraft::core::shell::tools

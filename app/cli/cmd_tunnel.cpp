// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/cmd_tunnel.h"

#include "app/cli/lab_support.h"
#include "core/common/text.h"

#include <charconv>
#include <csignal>
#include <ostream>
#include <pthread.h>

namespace meshcraft::app::cli {

namespace {

namespace lab = core::lab;

constexpr const char *Usage =
    "Usage: meshcraft tunnel LAB --from POD --to IP:PORT --listen 127.0.0.1:PORT\n"
    "                        [--until N] [-n NAMESPACE]\n"
    "\n"
    "Runs the solutions of steps 1..N of the lab (all by default), then listens on a loopback\n"
    "address: every connection a real client (redis-cli, telnet, redis-benchmark) makes there\n"
    "enters POD's sidecar as if POD had dialled IP:PORT, and follows the mesh's rules from\n"
    "there. Runs until SIGINT or SIGTERM, then shuts the lab down, its redis-servers included.\n"
    "The listen address must be on 127.0.0.0/8; port 0 picks a free port.\n"
    "\n"
    "Prints 'listening on HOST:PORT' on standard output once connections are accepted.\n";

struct ListenAddress
{
    std::string host;
    std::uint16_t port = 0;
};

std::optional<ListenAddress> parseListen(const std::string &text)
{
    const std::size_t colon = text.rfind(':');
    if (colon == std::string::npos) {
        return std::nullopt;
    }
    ListenAddress address{text.substr(0, colon), 0};
    const std::string port = text.substr(colon + 1);
    unsigned value = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (error != std::errc() || end != port.data() + port.size() || value > 65535) {
        return std::nullopt;
    }
    address.port = static_cast<std::uint16_t>(value);
    return address;
}

/// D28: loopback only. A dotted quad in 127.0.0.0/8.
bool isLoopback(const std::string &host)
{
    const auto parts = core::common::split(host, '.');
    if (parts.size() != 4 || parts[0] != "127") {
        return false;
    }
    return std::all_of(parts.begin(), parts.end(), [](const std::string &part) {
        unsigned value = 0;
        const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), value);
        return !part.empty() && error == std::errc() && end == part.data() + part.size() &&
               value <= 255;
    });
}

int runTunnel(Invocation &invocation)
{
    const OptionParser options(invocation.args, {},
                               {"--from", "--to", "--listen", "--until", "-n", "--namespace"});
    if (!options.ok()) {
        return usageError(invocation, "tunnel", options.error());
    }
    if (options.positionals().size() != 1) {
        return usageError(invocation, "tunnel", "give one LAB");
    }
    const auto from = options.value("--from");
    const auto to = options.value("--to");
    const auto listenText = options.value("--listen");
    if (!from || !to || !listenText) {
        return usageError(invocation, "tunnel", "--from, --to and --listen are required");
    }
    const auto listen = parseListen(*listenText);
    if (!listen) {
        return usageError(invocation, "tunnel",
                          "--listen takes HOST:PORT, not '" + *listenText + "'");
    }
    if (!isLoopback(listen->host)) {
        invocation.err << "meshcraft tunnel: refusing to listen on " << listen->host
                       << ": the tunnel binds to loopback addresses (127.0.0.0/8) only\n";
        return ExitUsage;
    }
    const auto until = parseUntil(invocation, "tunnel", options);
    if (!until) {
        return ExitUsage;
    }
    const std::string nameSpace =
        options.value("--namespace").value_or(options.value("-n").value_or(""));

    // The signals that stop the tunnel are taken by sigwait() below; blocked before any thread
    // starts, so every thread inherits the mask and none of them is interrupted.
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

    int status = ExitOk;
    {
        lab::SessionOptions sessionOptions;
        sessionOptions.persist = false;
        sessionOptions.fixedClock = true;
        EventQueue queue;
        lab::Session session(sessionOptions);
        session.setObserver(&queue);
        if (!openLab(session, queue, options.positionals()[0], invocation.err)) {
            return ExitFailure;
        }
        const int stepCount = static_cast<int>(session.definition()->steps.size());
        const int last = std::min(*until, stepCount);
        TranscriptPrinter printer({});
        runSolutions(session, queue, last, &printer);
        for (const auto &[step, passed] : printer.stepResults()) {
            invocation.err << "meshcraft tunnel: step " << step << (passed ? " passed" : " FAILED")
                           << "\n";
        }
        // Nobody reads the event stream while the tunnel runs: let the session drop it rather
        // than queue every connection a benchmark makes.
        session.setObserver(nullptr);
        const auto port = session.openTunnel(*from, nameSpace, *to, listen->host, listen->port);
        if (!port) {
            invocation.err << "meshcraft tunnel: " << port.error().message << "\n";
            status = ExitFailure;
        } else {
            invocation.out << "listening on " << listen->host << ":" << *port << " -> " << *from
                           << " -> " << *to << " (after step " << last
                           << "); SIGINT or SIGTERM stops\n";
            invocation.out.flush();
            int received = 0;
            sigwait(&stopSignals, &received);
            invocation.err << "meshcraft tunnel: stopping\n";
        }
        // Leaving the scope stops the session: the relay, the World, its redis-servers.
    }
    pthread_sigmask(SIG_UNBLOCK, &stopSignals, nullptr);
    return status;
}

} // namespace

const Command &tunnelCommand()
{
    static const Command command{"tunnel", "let real clients connect as if from inside a pod",
                                 Usage, runTunnel};
    return command;
}

} // namespace meshcraft::app::cli

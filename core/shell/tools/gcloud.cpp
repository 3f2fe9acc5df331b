// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/shell/tools/gcloud.h"

#include "core/cloud/memorystore.h"
#include "core/shell/shell_context.h"
#include "core/shell/tools/tool_support.h"

#include <charconv>

namespace meshcraft::core::shell::tools {

namespace {

/// A command finishing on a worker: typed lines wait (type-ahead); Ctrl+C stops the waiting.
class WaitingSession : public CommandSession
{
public:
    explicit WaitingSession(CommandHandle handle) : m_handle(std::move(handle)) {}

    // Interface
    bool wantsInput() const override { return false; }
    void interrupt() override { m_handle.finish(130); }

private:
    CommandHandle m_handle;
};

/// The output of a finished gcloud command.
CommandStatus write(CommandContext &ctx, const cloud::GcloudOutput &output)
{
    ctx.out().write(output.out);
    ctx.err().write(output.err);
    return CommandStatus::exited(output.exitCode);
}

/// An argparse error: exit status 2.
CommandStatus usageError(CommandContext &ctx, std::string_view command, std::string_view message)
{
    ctx.err().write("ERROR: (" + std::string(command) + ") " + std::string(message) + "\n");
    return CommandStatus::exited(2);
}

CommandStatus flagError(CommandContext &ctx, std::string_view command, const common::Error &error)
{
    if (error.code == "flag.unknown") {
        std::string flag = error.message.substr(error.message.find(": ") + 2);
        if (const std::size_t in = flag.find(" in "); in != std::string::npos) {
            flag = flag.substr(in + 4);
        }
        return usageError(ctx, command,
                          "unrecognized arguments: " + flag +
                              "\n\nTo search the help text of gcloud commands, run:\n"
                              "  gcloud help -- SEARCH_TERMS");
    }
    std::string flag = error.message.substr(error.message.find(": ") + 2);
    return usageError(ctx, command, "argument " + flag + ": expected one argument");
}

const std::vector<FlagDef> &globalFlags()
{
    static const std::vector<FlagDef> flags = {{"project", 0, true},
                                               {"quiet", 'q', false},
                                               {"format", 0, true},
                                               {"verbosity", 0, true},
                                               {"async", 0, false}};
    return flags;
}

std::vector<FlagDef> withGlobal(std::initializer_list<FlagDef> flags)
{
    std::vector<FlagDef> all = globalFlags();
    all.insert(all.end(), flags.begin(), flags.end());
    return all;
}

std::string serviceTitle(std::string_view service)
{
    if (service == cloud::RedisApi) {
        return "Google Cloud Memorystore for Redis API";
    }
    if (service == "container.googleapis.com") {
        return "Kubernetes Engine API";
    }
    if (service == "compute.googleapis.com") {
        return "Compute Engine API";
    }
    return {};
}

CommandStatus services(CommandContext &ctx, ToolState &state, const std::vector<std::string> &args)
{
    const std::string verb = args.empty() ? std::string() : args.front();
    const std::vector<std::string> rest(args.begin() + (args.empty() ? 0 : 1), args.end());
    const std::string command = "gcloud.services." + verb;
    cloud::Memorystore &project = state.world().memorystore();
    if (verb == "enable") {
        const auto parsed = parseFlags(rest, globalFlags());
        if (!parsed) {
            return flagError(ctx, command, parsed.error());
        }
        if (parsed->positionals.empty()) {
            return usageError(ctx, command,
                              "argument SERVICE: Must be specified.\nUsage: gcloud "
                              "services enable SERVICE [SERVICE ...] [optional "
                              "flags]\n  optional flags may be  --async | --help");
        }
        for (const std::string &service : parsed->positionals) {
            const auto enabled = project.enableService(service);
            if (!enabled) {
                return write(ctx, cloud::renderError(enabled.error()));
            }
            ctx.out().write(enabled->out);
            ctx.err().write(enabled->err);
        }
        return CommandStatus::exited(0);
    }
    if (verb == "list") {
        const auto parsed = parseFlags(rest, withGlobal({{"enabled", 0, false},
                                                         {"available", 0, false},
                                                         {"filter", 0, true},
                                                         {"limit", 0, true}}));
        if (!parsed) {
            return flagError(ctx, command, parsed.error());
        }
        std::vector<std::vector<std::string>> rows = {{"NAME", "TITLE"}};
        for (const std::string &service : project.enabledServices()) {
            rows.push_back({service, serviceTitle(service)});
        }
        if (rows.size() == 1) {
            ctx.err().write("Listed 0 items.\n");
            return CommandStatus::exited(0);
        }
        ctx.out().write(formatTable(rows, 2, 0));
        return CommandStatus::exited(0);
    }
    return usageError(ctx, "gcloud.services",
                      "Invalid choice: '" + verb +
                          "'.\nMeshcraft's gcloud knows `services enable` and `services list`.");
}

std::string regionOf(const ParsedArgs &args)
{
    return args.value("region");
}

CommandStatus redisInstances(CommandContext &ctx, const std::shared_ptr<ToolState> &state,
                             const std::vector<std::string> &args)
{
    const std::string verb = args.empty() ? std::string() : args.front();
    const std::vector<std::string> rest(args.begin() + (args.empty() ? 0 : 1), args.end());
    const std::string command = "gcloud.redis.instances." + verb;
    cloud::Memorystore &project = state->world().memorystore();

    if (verb == "create") {
        const auto parsed = parseFlags(rest, withGlobal({{"region", 0, true},
                                                         {"zone", 0, true},
                                                         {"size", 0, true},
                                                         {"redis-version", 0, true},
                                                         {"tier", 0, true},
                                                         {"network", 0, true},
                                                         {"reserved-ip-range", 0, true},
                                                         {"display-name", 0, true},
                                                         {"labels", 0, true},
                                                         {"connect-mode", 0, true}}));
        if (!parsed) {
            return flagError(ctx, command, parsed.error());
        }
        if (parsed->positionals.size() != 1) {
            return usageError(ctx, command,
                              parsed->positionals.empty()
                                  ? "argument INSTANCE: Must be specified.\nUsage: gcloud redis "
                                    "instances create (INSTANCE : --region=REGION) [optional "
                                    "flags]\n  optional flags may be  --alternative-zone | "
                                    "--async | --connect-mode | --display-name | --help | "
                                    "--labels | --network | --redis-version | --region | "
                                    "--reserved-ip-range | --size | --tier | --zone"
                                  : "unrecognized arguments: " + parsed->positionals[1]);
        }
        cloud::CreateInstanceRequest request;
        request.name = parsed->positionals.front();
        request.region = regionOf(*parsed);
        request.zone = parsed->value("zone");
        request.redisVersion = parsed->value("redis-version");
        request.tier = parsed->value("tier");
        request.network = parsed->value("network");
        request.reservedIpRange = parsed->value("reserved-ip-range");
        if (parsed->has("size")) {
            const std::string size = parsed->value("size");
            int value = 0;
            const auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), value);
            if (ec != std::errc() || end != size.data() + size.size()) {
                return usageError(ctx, command,
                                  "argument --size: invalid int value: '" + size + "'");
            }
            request.sizeGb = value;
        }
        // Starting the instance's redis-server takes a moment: off the terminal's thread.
        const CommandHandle handle = ctx.handle();
        ShellContext *shell = &ctx.shell();
        cloud::Memorystore *memorystore = &project;
        state->runInBackground([handle, shell, memorystore, request] {
            auto created = memorystore->createInstance(request);
            handle.post([handle, shell, created = std::move(created)] {
                if (!handle.isActive()) {
                    return;
                }
                const cloud::GcloudOutput output =
                    created ? cloud::renderCreate(*created) : cloud::renderError(created.error());
                handle.out(output.out);
                handle.err(output.err);
                if (created) {
                    // D7: the lab's later steps use $REDIS_ADDR.
                    shell->variables().exportVariable("REDIS_ADDR", created->instance.host);
                }
                handle.finish(output.exitCode);
            });
        });
        return CommandStatus::running(std::make_shared<WaitingSession>(handle));
    }
    if (verb == "describe" || verb == "delete") {
        const auto parsed = parseFlags(rest, withGlobal({{"region", 0, true}}));
        if (!parsed) {
            return flagError(ctx, command, parsed.error());
        }
        if (parsed->positionals.size() != 1) {
            return usageError(ctx, command, "argument INSTANCE: Must be specified.");
        }
        const std::string name = parsed->positionals.front();
        if (verb == "describe") {
            const auto instance = project.describeInstance(name, regionOf(*parsed));
            return write(ctx, instance ? cloud::renderDescribe(*instance)
                                       : cloud::renderError(instance.error()));
        }
        const CommandHandle handle = ctx.handle();
        cloud::Memorystore *memorystore = &project;
        const std::string region = regionOf(*parsed);
        state->runInBackground([handle, memorystore, name, region] {
            auto deleted = memorystore->deleteInstance(name, region);
            handle.post([handle, deleted = std::move(deleted)] {
                if (!handle.isActive()) {
                    return;
                }
                const cloud::GcloudOutput output =
                    deleted ? cloud::renderDelete(*deleted) : cloud::renderError(deleted.error());
                handle.out(output.out);
                handle.err(output.err);
                handle.finish(output.exitCode);
            });
        });
        return CommandStatus::running(std::make_shared<WaitingSession>(handle));
    }
    if (verb == "list") {
        const auto parsed = parseFlags(
            rest, withGlobal({{"region", 0, true}, {"filter", 0, true}, {"limit", 0, true}}));
        if (!parsed) {
            return flagError(ctx, command, parsed.error());
        }
        const auto instances = project.listInstances(regionOf(*parsed));
        return write(ctx, instances ? cloud::renderList(*instances)
                                    : cloud::renderError(instances.error()));
    }
    return usageError(ctx, "gcloud.redis.instances",
                      "Invalid choice: '" + verb +
                          "'.\nMeshcraft's gcloud knows create, describe, list and delete.");
}

CommandStatus configList(CommandContext &ctx, ToolState &state)
{
    const WorldSpec::Cloud &cloud = state.world().spec().cloud;
    ctx.out().write("[compute]\nregion = " + cloud.region + "\nzone = " + cloud.zone +
                    "\n[core]\naccount = " + cloud.account +
                    "\ndisable_usage_reporting = True\nproject = " +
                    state.world().memorystore().project() + "\n");
    ctx.err().write("\nYour active configuration is: [default]\n");
    return CommandStatus::exited(0);
}

} // namespace

Gcloud::Gcloud(std::shared_ptr<ToolState> state) : m_state(std::move(state)) {}

CommandStatus Gcloud::run(CommandContext &ctx)
{
    const std::vector<std::string> &argv = ctx.args();
    const std::vector<std::string> rest(argv.size() > 2 ? argv.begin() + 2 : argv.end(),
                                        argv.end());
    const std::string group = argv.size() > 1 ? argv[1] : std::string();
    if (group == "services") {
        return services(ctx, *m_state, rest);
    }
    if (group == "redis") {
        if (!rest.empty() && rest.front() == "instances") {
            return redisInstances(ctx, m_state,
                                  std::vector<std::string>(rest.begin() + 1, rest.end()));
        }
        return usageError(ctx, "gcloud.redis",
                          "Invalid choice: '" + (rest.empty() ? std::string() : rest.front()) +
                              "'.\nMeshcraft's gcloud knows `redis instances`.");
    }
    if (group == "config" && !rest.empty() && rest.front() == "list") {
        return configList(ctx, *m_state);
    }
    if (group.empty()) {
        ctx.err().write("ERROR: (gcloud) Command name argument expected.\n\n"
                        "Commands in this terminal: services, redis instances, config list\n");
        return CommandStatus::exited(2);
    }
    return usageError(ctx, "gcloud",
                      "Invalid choice: '" + group +
                          "'.\nMeshcraft's gcloud knows services, redis and config.");
}

CompletionSpec Gcloud::completion() const
{
    const FlagSpec region = completionFlag(
        {"--region"}, true, {},
        [state = std::weak_ptr<ToolState>(m_state)](const CompletionRequest &) {
            auto locked = state.lock();
            return locked ? std::vector<std::string>{locked->world().spec().cloud.region}
                          : std::vector<std::string>{};
        });
    CompletionSpec create;
    create.files = false;
    create.flags = {region, completionFlag({"--zone"}, true), completionFlag({"--size"}, true),
                    completionFlag({"--redis-version"}, true,
                                   {"redis_3_2", "redis_4_0", "redis_5_0", "redis_6_x", "redis_7_0",
                                    "redis_7_2"}),
                    completionFlag({"--tier"}, true, {"basic", "standard"})};
    CompletionSpec byName;
    byName.files = false;
    byName.flags = {region};
    CompletionSpec instances;
    instances.files = false;
    instances.subcommands = {
        {"create", create}, {"delete", byName}, {"describe", byName}, {"list", byName}};
    CompletionSpec redis;
    redis.files = false;
    redis.subcommands = {{"instances", instances}};
    CompletionSpec enable;
    enable.files = false;
    enable.arguments = [](const CompletionRequest &) {
        return std::vector<std::string>{cloud::RedisApi};
    };
    CompletionSpec services;
    services.files = false;
    services.subcommands = {{"enable", enable}, {"list", {}}};
    CompletionSpec config;
    config.files = false;
    config.subcommands = {{"list", {}}};
    CompletionSpec root;
    root.files = false;
    root.subcommands = {{"config", config}, {"redis", redis}, {"services", services}};
    return root;
}

} // namespace meshcraft::core::shell::tools

// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/probe/redis_client.h"

#include "core/probe/detail/sigpipe.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <hiredis/hiredis.h>
#include <string_view>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace meshcraft::core::probe {

namespace {

struct ContextDeleter
{
    void operator()(redisContext *c) const { redisFree(c); }
};
struct ReplyDeleter
{
    void operator()(redisReply *r) const { freeReplyObject(r); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

RedisReply toValue(const redisReply &r)
{
    RedisReply out;
    switch (r.type) {
    case REDIS_REPLY_STATUS:
        out.type = RedisReply::Type::Status;
        break;
    case REDIS_REPLY_ERROR:
        out.type = RedisReply::Type::Error;
        break;
    case REDIS_REPLY_INTEGER:
        out.type = RedisReply::Type::Integer;
        out.integer = r.integer;
        return out;
    case REDIS_REPLY_STRING:
        out.type = RedisReply::Type::String;
        break;
    case REDIS_REPLY_ARRAY:
        out.type = RedisReply::Type::Array;
        out.elements.reserve(r.elements);
        for (std::size_t i = 0; i < r.elements; ++i) {
            out.elements.push_back(toValue(*r.element[i]));
        }
        return out;
    default:
        out.type = RedisReply::Type::Nil;
        return out;
    }
    if (r.str) {
        out.str.assign(r.str, static_cast<std::size_t>(r.len));
    }
    return out;
}

/// Digits needed for `n` (at least one), as redis-cli sizes its "1) " prefixes.
unsigned digits(std::size_t n)
{
    unsigned count = 0;
    do {
        ++count;
        n /= 10;
    } while (n != 0);
    return count;
}

void formatTty(const RedisReply &r, const std::string &prefix, std::string &out)
{
    switch (r.type) {
    case RedisReply::Type::Error:
        out += "(error) " + r.str + '\n';
        return;
    case RedisReply::Type::Status:
        out += r.str + '\n';
        return;
    case RedisReply::Type::Integer:
        out += "(integer) " + std::to_string(r.integer) + '\n';
        return;
    case RedisReply::Type::String:
        out += quoteRepr(r.str) + '\n';
        return;
    case RedisReply::Type::Nil:
        out += "(nil)\n";
        return;
    case RedisReply::Type::Array:
        break;
    }
    if (r.elements.empty()) {
        out += "(empty array)\n";
        return;
    }
    const unsigned width = digits(r.elements.size());
    // Nested lists are indented past this level's "N) ".
    const std::string nested = prefix + std::string(width + 2, ' ');
    for (std::size_t i = 0; i < r.elements.size(); ++i) {
        if (i != 0) {
            out += prefix;
        }
        const std::string index = std::to_string(i + 1);
        out += std::string(width - index.size(), ' ') + index + ") ";
        formatTty(r.elements[i], nested, out);
    }
}

std::string transportMessage(const redisContext &c)
{
    // A write after the peer's RST fails with EPIPE; what the learner sees is the reset.
    if (c.err == REDIS_ERR_IO && std::string_view(c.errstr) == std::strerror(EPIPE)) {
        return "Connection reset by peer";
    }
    return c.errstr;
}

} // namespace

std::string quoteRepr(const std::string &text)
{
    std::string out = "\"";
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '\\':
            out += "\\\\";
            break;
        case '"':
            out += "\\\"";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\a':
            out += "\\a";
            break;
        case '\b':
            out += "\\b";
            break;
        default:
            if (c >= 0x20 && c < 0x7f) {
                out += ch;
            } else {
                char hex[8];
                std::snprintf(hex, sizeof hex, "\\x%02x", c);
                out += hex;
            }
        }
    }
    out += '"';
    return out;
}

std::string formatReplyTty(const RedisReply &reply)
{
    std::string out;
    formatTty(reply, "", out);
    return out;
}

struct RedisClient::Impl
{
    ContextPtr context;
    bool broken = false;

    common::Error fail()
    {
        broken = true;
        const std::string message = context ? transportMessage(*context) : "no connection";
        return {RedisTransportError, message, std::nullopt};
    }
};

RedisClient::RedisClient(std::unique_ptr<Impl> impl) : d(std::move(impl)) {}
RedisClient::RedisClient(RedisClient &&) noexcept = default;
RedisClient &RedisClient::operator=(RedisClient &&) noexcept = default;
RedisClient::~RedisClient() = default;

common::Result<RedisClient> RedisClient::adopt(int fd, std::chrono::milliseconds timeout)
{
    ContextPtr context(redisConnectFd(fd));
    if (!context) {
        ::close(fd);
        return common::fail(RedisTransportError, "Cannot allocate redis context");
    }
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    if (context->err != 0 || redisSetTimeout(context.get(), tv) != REDIS_OK) {
        std::string message = context->errstr;
        return common::fail(RedisTransportError, message); // redisFree closes the fd
    }
    auto impl = std::make_unique<Impl>();
    impl->context = std::move(context);
    return RedisClient(std::move(impl));
}

common::Result<RedisReply> RedisClient::command(const std::vector<std::string> &argv)
{
    auto replies = pipeline({argv});
    if (!replies) {
        return tl::unexpected(replies.error());
    }
    return std::move(replies->front());
}

common::Result<std::vector<RedisReply>>
RedisClient::pipeline(const std::vector<std::vector<std::string>> &commands)
{
    if (d->broken) {
        return tl::unexpected(d->fail());
    }
    const detail::SigpipeGuard noSigpipe;
    redisContext *c = d->context.get();
    for (const auto &argv : commands) {
        std::vector<const char *> args;
        std::vector<std::size_t> lengths;
        for (const auto &arg : argv) {
            args.push_back(arg.data());
            lengths.push_back(arg.size());
        }
        if (redisAppendCommandArgv(c, static_cast<int>(args.size()), args.data(), lengths.data()) !=
            REDIS_OK) {
            return tl::unexpected(d->fail());
        }
    }
    std::vector<RedisReply> out;
    out.reserve(commands.size());
    for (std::size_t i = 0; i < commands.size(); ++i) {
        void *raw = nullptr;
        if (redisGetReply(c, &raw) != REDIS_OK || raw == nullptr) {
            return tl::unexpected(d->fail());
        }
        ReplyPtr reply(static_cast<redisReply *>(raw));
        out.push_back(toValue(*reply));
    }
    return out;
}

bool RedisClient::isBroken() const
{
    return d->broken;
}

} // namespace meshcraft::core::probe

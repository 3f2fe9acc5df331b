// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/models/timeline_model.h"

#include <QCoreApplication>
#include <type_traits>

namespace meshcraft::app {

namespace events = core::lab::events;

namespace {

QString fromStd(const std::string &text)
{
    return QString::fromStdString(text);
}

QString tr(const char *text, const char *disambiguation = nullptr, int n = -1)
{
    return QCoreApplication::translate("TimelineModel", text, disambiguation, n);
}

} // namespace

QString timelineTypeName(TimelineType type)
{
    switch (type) {
    case TimelineType::Command:
        return QStringLiteral("command");
    case TimelineType::Apply:
        return QStringLiteral("apply");
    case TimelineType::ConfigPush:
        return QStringLiteral("push");
    case TimelineType::ConnectionOpen:
        return QStringLiteral("open");
    case TimelineType::ConnectionClose:
        return QStringLiteral("close");
    case TimelineType::Probe:
        return QStringLiteral("probe");
    case TimelineType::Note:
        return QStringLiteral("note");
    }
    return {};
}

QString timelineTypeTitle(TimelineType type)
{
    switch (type) {
    case TimelineType::Command:
        return tr("Commands");
    case TimelineType::Apply:
        return tr("Applies");
    case TimelineType::ConfigPush:
        return tr("Config pushes");
    case TimelineType::ConnectionOpen:
        return tr("Opens");
    case TimelineType::ConnectionClose:
        return tr("Closes");
    case TimelineType::Probe:
        return tr("Probes");
    case TimelineType::Note:
        return tr("Notes");
    }
    return {};
}

TimelineModel::TimelineModel(QObject *parent) : QAbstractTableModel(parent) {}

void TimelineModel::addEvents(const std::vector<core::lab::Event> &batch)
{
    for (const core::lab::Event &event : batch) {
        std::visit(
            [this](const auto &e) {
                using T = std::decay_t<decltype(e)>;
                if constexpr (std::is_same_v<T, events::CommandStarted>) {
                    append({0, TimelineType::Command,
                            (e.context == "host" ? QStringLiteral("$ ")
                                                 : fromStd(e.context) + QStringLiteral(" # ")) +
                                fromStd(e.line),
                            0, e.context == "host" ? QString() : fromStd(e.context)});
                } else if constexpr (std::is_same_v<T, events::Applied>) {
                    QString text = e.ok ? tr("applied %1").arg(fromStd(e.path))
                                        : tr("refused %1").arg(fromStd(e.path));
                    if (!e.lines.empty()) {
                        text += QStringLiteral(": ") + fromStd(e.lines.front());
                    }
                    append({0, TimelineType::Apply, text, 0, {}});
                } else if constexpr (std::is_same_v<T, events::StoreChanged>) {
                    QStringList objects;
                    for (const std::string &o : e.objects) {
                        objects << fromStd(o);
                    }
                    append({0,
                            TimelineType::ConfigPush,
                            tr("store revision %1: %2")
                                .arg(e.revision)
                                .arg(objects.join(QStringLiteral(", "))),
                            0,
                            {}});
                } else if constexpr (std::is_same_v<T, events::ConfigPushed>) {
                    QStringList proxies;
                    for (const std::string &p : e.proxies) {
                        proxies << fromStd(p);
                    }
                    append(
                        {0,
                         TimelineType::ConfigPush,
                         tr("pushed to %n proxies: %1", nullptr, static_cast<int>(proxies.size()))
                             .arg(proxies.join(QStringLiteral(", "))),
                         0,
                         {}});
                } else if constexpr (std::is_same_v<T, events::Connection>) {
                    const QString proxy = fromStd(e.proxyId);
                    if (e.kind == events::Connection::Kind::Opened) {
                        append(
                            {0, TimelineType::ConnectionOpen,
                             tr("%1: %2 → %3 opened")
                                 .arg(proxy, fromStd(e.downstream), fromStd(e.originalDestination)),
                             e.traceId, proxy});
                    } else if (e.kind == events::Connection::Kind::Closed) {
                        QString text =
                            tr("%1: → %2 closed, %3, flags %4")
                                .arg(proxy, fromStd(e.originalDestination),
                                     fromStd(e.cluster.empty() ? std::string("-") : e.cluster),
                                     fromStd(e.flags));
                        if (!e.detail.empty()) {
                            text += QStringLiteral(" (") + fromStd(e.detail) + QLatin1Char(')');
                        }
                        append({0, TimelineType::ConnectionClose, text, e.traceId, proxy});
                    }
                } else if constexpr (std::is_same_v<T, events::ProbeObserved>) {
                    append(
                        {0, TimelineType::Probe,
                         tr("%1 from %2 to %3: %4 (%5)")
                             .arg(fromStd(e.probe.tool), fromStd(e.probe.pod), fromStd(e.probe.to),
                                  fromStd(e.probe.outcome), fromStd(e.probe.path)),
                         e.probe.traceId, fromStd(e.probe.pod)});
                } else if constexpr (std::is_same_v<T, events::Note>) {
                    QString text = fromStd(e.markdown).simplified();
                    text.remove(QLatin1Char('*'));
                    append({0, TimelineType::Note, text.left(200), 0, {}});
                } else if constexpr (std::is_same_v<T, events::ChecksEvaluated>) {
                    append({0,
                            TimelineType::Note,
                            e.passed ? tr("step %1 checked: passed").arg(e.step)
                                     : tr("step %1 checked: not yet").arg(e.step),
                            0,
                            {}});
                } else if constexpr (std::is_same_v<T, events::WorldRebuilt>) {
                    append({0,
                            TimelineType::Note,
                            tr("world rebuilt at step %1").arg(e.atStep),
                            0,
                            {}});
                }
            },
            event.payload);
    }
}

void TimelineModel::append(Entry entry)
{
    if (m_entries.size() >= static_cast<std::size_t>(MaxRows)) {
        beginRemoveRows({}, 0, 0);
        m_entries.pop_front();
        endRemoveRows();
    }
    entry.sequence = m_next++;
    const int row = static_cast<int>(m_entries.size());
    beginInsertRows({}, row, row);
    m_entries.push_back(std::move(entry));
    endInsertRows();
}

void TimelineModel::clear()
{
    beginResetModel();
    m_entries.clear();
    endResetModel();
}

int TimelineModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int TimelineModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TimelineModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount()) {
        return {};
    }
    const Entry &e = entry(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case SequenceColumn:
            return QString::number(e.sequence);
        case TypeColumn:
            return timelineTypeName(e.type);
        case WhatColumn:
            return e.text;
        default:
            return {};
        }
    case Qt::ToolTipRole:
        return e.text;
    case TypeRole:
        return static_cast<int>(e.type);
    case TraceRole:
        return QVariant::fromValue<qulonglong>(e.traceId);
    case NodeRole:
        return e.node;
    default:
        return {};
    }
}

QVariant TimelineModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case SequenceColumn:
        return tr("#");
    case TypeColumn:
        return tr("Type");
    case WhatColumn:
        return tr("What happened");
    default:
        return {};
    }
}

TimelineFilterModel::TimelineFilterModel(QObject *parent) : QSortFilterProxyModel(parent) {}

void TimelineFilterModel::setTypeVisible(TimelineType type, bool visible)
{
    const unsigned bit = 1U << static_cast<unsigned>(type);
    const unsigned next = visible ? (m_visible | bit) : (m_visible & ~bit);
    if (next != m_visible) {
        m_visible = next;
        invalidateFilter();
    }
}

bool TimelineFilterModel::isTypeVisible(TimelineType type) const
{
    return (m_visible & (1U << static_cast<unsigned>(type))) != 0;
}

bool TimelineFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    const int type = index.data(TimelineModel::TypeRole).toInt();
    return (m_visible & (1U << static_cast<unsigned>(type))) != 0;
}

} // namespace meshcraft::app

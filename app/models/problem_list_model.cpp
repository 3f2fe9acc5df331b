// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/models/problem_list_model.h"

#include <QApplication>
#include <QFileInfo>
#include <QStyle>

#include <algorithm>

namespace meshcraft::app {

using core::common::Severity;

ProblemListModel::ProblemListModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void ProblemListModel::setProblems(const QString &path,
                                   const core::common::Diagnostics &diagnostics)
{
    std::vector<Problem> next;
    next.reserve(m_problems.size() + diagnostics.size());
    for (const Problem &problem : m_problems) {
        if (problem.path != path) {
            next.push_back(problem);
        }
    }
    for (const core::common::Diagnostic &diagnostic : diagnostics) {
        next.push_back(Problem{path, diagnostic});
    }
    std::stable_sort(next.begin(), next.end(), [](const Problem &a, const Problem &b) {
        if (a.path != b.path) {
            return a.path < b.path;
        }
        if (a.diagnostic.location.line != b.diagnostic.location.line) {
            return a.diagnostic.location.line < b.diagnostic.location.line;
        }
        return a.diagnostic.location.column < b.diagnostic.location.column;
    });
    beginResetModel();
    m_problems = std::move(next);
    endResetModel();
}

void ProblemListModel::clear()
{
    beginResetModel();
    m_problems.clear();
    endResetModel();
}

const ProblemListModel::Problem *ProblemListModel::problem(int row) const
{
    if (row < 0 || row >= count()) {
        return nullptr;
    }
    return &m_problems[static_cast<std::size_t>(row)];
}

int ProblemListModel::errorCount() const
{
    return static_cast<int>(std::count_if(m_problems.begin(), m_problems.end(), [](const Problem &p) {
        return p.diagnostic.severity == Severity::Error;
    }));
}

int ProblemListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : count();
}

int ProblemListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

namespace {

QString severityText(Severity severity)
{
    switch (severity) {
    case Severity::Error:
        return ProblemListModel::tr("Error");
    case Severity::Warning:
        return ProblemListModel::tr("Warning");
    case Severity::Info:
        return ProblemListModel::tr("Info");
    }
    return {};
}

QIcon severityIcon(Severity severity)
{
    const QStyle *style = QApplication::style();
    switch (severity) {
    case Severity::Error:
        return style->standardIcon(QStyle::SP_MessageBoxCritical);
    case Severity::Warning:
        return style->standardIcon(QStyle::SP_MessageBoxWarning);
    case Severity::Info:
        return style->standardIcon(QStyle::SP_MessageBoxInformation);
    }
    return {};
}

} // namespace

QVariant ProblemListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const Problem &problem = m_problems[static_cast<std::size_t>(index.row())];
    const core::common::Diagnostic &d = problem.diagnostic;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case SeverityColumn:
            return severityText(d.severity);
        case LocationColumn:
            return d.location.isKnown() ? tr("%1:%2:%3")
                                              .arg(QFileInfo(problem.path).fileName())
                                              .arg(d.location.line)
                                              .arg(d.location.column)
                                        : QFileInfo(problem.path).fileName();
        case MessageColumn:
            return QString::fromStdString(d.message);
        default:
            return {};
        }
    case Qt::DecorationRole:
        return index.column() == SeverityColumn ? QVariant(severityIcon(d.severity)) : QVariant();
    case Qt::ToolTipRole:
    case TextRole:
        return QString::fromStdString(d.toString());
    case PathRole:
        return problem.path;
    case LineRole:
        return d.location.line;
    case ColumnRole:
        return d.location.column;
    case SeverityRole:
        return static_cast<int>(d.severity);
    case CodeRole:
        return QString::fromStdString(d.code);
    default:
        return {};
    }
}

QVariant ProblemListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (section) {
    case SeverityColumn:
        return tr("Severity");
    case LocationColumn:
        return tr("Location");
    case MessageColumn:
        return tr("Message");
    default:
        return {};
    }
}

} // namespace meshcraft::app

"""The plugin's FastAPI app, mounted by Airflow's API server at ``/publer``.

Airflow gives a plugin's app no authentication of its own, so every route depends on Airflow's
``get_user`` (the UI's session cookie or a bearer token; 401 without one) and shows only the task
instances of DAGs the auth manager lets the user read. Pages are rendered here, as HTML that the
Airflow UI shows in its frame; the connection's API key stays in the API server.
"""

from __future__ import annotations

import html
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Depends, FastAPI, Query
from fastapi.responses import HTMLResponse, JSONResponse

from airflow_provider_publer.constants import DEFAULT_CONN_ID
from airflow_provider_publer.plugins.calendar import (
    CACHE_SECONDS,
    MAX_PAGES,
    PAGE_SIZE,
    STATES,
    load_calendar,
)
from airflow_provider_publer.plugins.records import TaskRecord, task_records


def _current_user() -> Any:
    from airflow.api_fastapi.core_api.security import get_user

    return get_user


async def _user(user: Annotated[Any, Depends(_current_user())]) -> Any:
    return user


def readable_dag_ids(user: Any) -> set[str]:
    """The DAGs the user may read, as Airflow's auth manager decides."""
    from airflow.api_fastapi.app import get_auth_manager

    return set(get_auth_manager().get_authorized_dag_ids(user=user, method="GET"))


app = FastAPI(title="Publer", description="The Publer provider's pages in the Airflow UI")

_STYLE = """
body{font-family:system-ui,sans-serif;margin:16px;color:#1a202c}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{border-bottom:1px solid #e2e8f0;
padding:4px 8px;text-align:left;vertical-align:top}code{background:#edf2f7;padding:1px 4px}
.state-published{color:#2f855a}.state-failed{color:#c53030}.state-scheduled{color:#2b6cb0}
img.thumb{max-height:40px}form{margin:8px 0}nav a{margin-right:8px}
"""


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body><h2>{html.escape(title)}</h2>{body}"
        "<script>document.querySelectorAll('time[datetime]').forEach(function(t){"
        "t.textContent=new Date(t.getAttribute('datetime')).toLocaleString()});"
        "document.querySelectorAll('button[data-copy]').forEach(function(b){b.onclick=function(){"
        "navigator.clipboard&&navigator.clipboard.writeText(b.dataset.copy);b.textContent='Copied'}});"
        "</script></body></html>"
    )


def _period(view: str, start: date | None) -> tuple[date, date]:
    today = start or datetime.now(timezone.utc).date()
    if view == "month":
        first = today.replace(day=1)
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        return first, last
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=6)


def _ti_url(record: TaskRecord) -> str:
    dag, run, task = (quote(part, safe="") for part in (record.dag_id, record.run_id, record.task_id))
    path = f"/dags/{dag}/runs/{run}/tasks/{task}"
    if record.map_index >= 0:
        path += f"/mapped/{record.map_index}"
    return path


def _e(value: Any) -> str:
    return html.escape(str(value if value is not None else ""))


def _post_rows(posts: list[Any], app_url: str) -> str:
    rows = []
    for item in posts:
        post, account, task = item.post, item.account, item.task
        when = post.get("scheduled_at") or ""
        live = post.get("post_link") or ""
        media = post.get("media") or []
        thumb = next((m.get("thumbnail") or m.get("url") for m in media if isinstance(m, dict)), None)
        links = [f"<a href='{_e(app_url)}' target='_blank'>Publer</a>"]
        if live:
            links.append(f"<a href='{_e(live)}' target='_blank'>Live post</a>")
        if task is not None:
            links.append(
                f"<a href='{_e(_ti_url(task))}' target='_top'>{_e(task.dag_id)}.{_e(task.task_id)}</a>"
            )
        state = item.state
        reason = f" ({_e(item.reason)})" if item.reason else ""
        rows.append(
            "<tr>"
            f"<td><time datetime='{_e(when)}'>{_e(when)}</time></td>"
            f"<td>{_e(account.get('name') or post.get('account_id'))}</td>"
            f"<td>{_e(post.get('network') or account.get('provider'))}</td>"
            f"<td class='state-{_e(state)}'>{_e(state)}{reason}</td>"
            f"<td>{_e(str(post.get('text') or '')[:120])}</td>"
            f"<td>{f'<img class=thumb src={_e(thumb)!r}>' if thumb else ''}</td>"
            f"<td>{' · '.join(links)}</td></tr>"
        )
    columns = ("When", "Account", "Network", "State", "Text", "Media", "Links")
    header = "<tr>" + "".join(f"<th>{c}</th>" for c in columns) + "</tr>"
    return f"<table class='posts'>{header}{''.join(rows)}</table>" if rows else "<p>No posts.</p>"


def _ids_table(calendar: Any) -> str:
    def row(kind: str, name: Any, ident: Any, extra: Any = "") -> str:
        return (
            f"<tr><td>{kind}</td><td>{_e(name)}</td><td>{_e(extra)}</td><td><code>{_e(ident)}</code> "
            f"<button data-copy='{_e(ident)}'>Copy</button></td></tr>"
        )

    rows = [row("Workspace", w.get("name"), w.get("id")) for w in calendar.workspaces]
    rows += [row("Account", a.get("name"), a.get("id"), a.get("provider")) for a in calendar.accounts]
    return (
        "<h3>Workspaces and accounts</h3><table class='ids'><tr><th></th><th>Name</th><th>Network</th>"
        f"<th>ID</th></tr>{''.join(rows)}</table>"
    )


@app.get("/calendar", response_class=HTMLResponse)
def calendar_page(
    user: Annotated[Any, Depends(_user)],
    conn_id: str = DEFAULT_CONN_ID,
    view: str = Query("week", pattern="^(week|month)$"),
    start: date | None = None,
    account: str | None = None,
    state: str | None = None,
    dag_id: str | None = None,
    workspace_id: str | None = None,
) -> HTMLResponse:
    """The content calendar of the connection's workspace: every post the user's DAGs scheduled."""
    data = calendar_data(user, conn_id, view, start, account, state, dag_id, workspace_id)
    first, last = data["period"]
    calendar = data["calendar"]
    params = {"conn_id": conn_id, "view": view}
    nav = " ".join(
        f"<a href='?{urlencode({**params, 'view': v, 'start': first.isoformat()})}'>{v.title()}</a>"
        for v in ("week", "month")
    )
    step = timedelta(days=7) if view == "week" else timedelta(days=31)
    earlier = first - (timedelta(days=1) if view == "month" else step)
    nav += (
        f" <a href='?{urlencode({**params, 'start': earlier.isoformat()})}'>&larr; Earlier</a>"
        f" <a href='?{urlencode({**params, 'start': (last + timedelta(days=1)).isoformat()})}'>"
        "Later &rarr;</a>"
    )
    options = lambda values, chosen: "".join(  # noqa: E731
        f"<option value='{_e(v)}'{' selected' if v == chosen else ''}>{_e(label)}</option>"
        for v, label in values
    )
    filters = (
        f"<form><input type='hidden' name='conn_id' value='{_e(conn_id)}'><input type='hidden' name='view' "
        f"value='{_e(view)}'><input type='hidden' name='start' value='{first.isoformat()}'>"
        f"<select name='account'><option value=''>All accounts</option>"
        f"{options([(str(a.get('id')), a.get('name')) for a in calendar.accounts], account)}</select> "
        "<select name='state'><option value=''>All states</option>"
        f"{options([(s, s) for s in STATES], state)}</select> "
        "<select name='dag_id'><option value=''>All DAGs</option>"
        f"{options([(d, d) for d in data['dag_ids']], dag_id)}</select> "
        "<button type='submit'>Filter</button></form>"
    )
    note = (
        f"<p>Connection <code>{_e(conn_id)}</code>, workspace <code>{_e(calendar.workspace_id)}</code>, "
        f"{first.isoformat()} to {last.isoformat()} ({view}): {len(data['posts'])} post(s) of your DAGs. "
        f"Publer requests for this view: {calendar.publer_requests} "
        f"(answers reused for {CACHE_SECONDS:.0f} s).</p>"
    )
    if calendar.truncated:
        note += f"<p>Only the first {MAX_PAGES * PAGE_SIZE} posts of the period were read: pick a week.</p>"
    return _page(
        "Publer",
        f"<nav>{nav}</nav>{filters}{note}{_post_rows(data['posts'], data['app_url'])}{_ids_table(calendar)}",
    )


def calendar_data(
    user: Any,
    conn_id: str,
    view: str,
    start: date | None,
    account: str | None,
    state: str | None,
    dag_id: str | None,
    workspace_id: str | None,
) -> dict[str, Any]:
    from airflow_provider_publer.hooks.publer import PublerHook

    readable = readable_dag_ids(user)
    dag_ids = [d for d in readable if not dag_id or d == dag_id]
    records = task_records(dag_ids)
    first, last = _period(view, start)
    calendar = load_calendar(
        conn_id,
        records,
        from_=first.isoformat(),
        to=last.isoformat(),
        workspace_id=workspace_id or None,
    )
    posts = [
        p
        for p in calendar.posts
        if (not account or str(p.post.get("account_id")) == account) and (not state or p.state == state)
    ]
    return {
        "period": (first, last),
        "calendar": calendar,
        "posts": posts,
        "dag_ids": sorted({r.dag_id for r in records}),
        "app_url": PublerHook(publer_conn_id=conn_id).web_app_url(),
    }


@app.get("/api/calendar")
def calendar_json(
    user: Annotated[Any, Depends(_user)],
    conn_id: str = DEFAULT_CONN_ID,
    view: str = Query("week", pattern="^(week|month)$"),
    start: date | None = None,
    account: str | None = None,
    state: str | None = None,
    dag_id: str | None = None,
    workspace_id: str | None = None,
) -> JSONResponse:
    """The calendar as JSON (what the page shows)."""
    data = calendar_data(user, conn_id, view, start, account, state, dag_id, workspace_id)
    calendar = data["calendar"]
    return JSONResponse(
        {
            "from": data["period"][0].isoformat(),
            "to": data["period"][1].isoformat(),
            "workspace_id": calendar.workspace_id,
            "workspaces": [{"id": w.get("id"), "name": w.get("name")} for w in calendar.workspaces],
            "accounts": [
                {"id": a.get("id"), "name": a.get("name"), "provider": a.get("provider")}
                for a in calendar.accounts
            ],
            "publer_requests": calendar.publer_requests,
            "truncated": calendar.truncated,
            "posts": [
                {
                    "id": p.post.get("id"),
                    "account_id": p.post.get("account_id"),
                    "network": p.post.get("network"),
                    "scheduled_at": p.post.get("scheduled_at"),
                    "state": p.state,
                    "reason": p.reason,
                    "post_link": p.post.get("post_link"),
                    "dag_id": p.task.dag_id if p.task else None,
                    "run_id": p.task.run_id if p.task else None,
                    "task_id": p.task.task_id if p.task else None,
                    "map_index": p.task.map_index if p.task else None,
                }
                for p in data["posts"]
            ],
        }
    )


@app.get("/task-instance", response_class=HTMLResponse)
def task_instance_page(
    user: Annotated[Any, Depends(_user)],
    dag_id: str,
    run_id: str,
    task_id: str,
    map_index: int = -1,
    conn_id: str = DEFAULT_CONN_ID,
) -> HTMLResponse:
    """The "Publer" tab of a task instance: the posts it scheduled and their state now."""
    if dag_id not in readable_dag_ids(user):
        return _page("Publer", "<p>You may not read this DAG.</p>")
    found = task_records([dag_id], only=(dag_id, run_id, task_id, map_index))
    if not found:
        return _page("Publer", "<p>This task instance submitted nothing to Publer.</p>")
    record = found[0]
    times = [
        str(a.get("scheduled_at"))
        for p in record.posts
        for a in p.get("accounts") or []
        if a.get("scheduled_at")
    ]
    today = datetime.now(timezone.utc).date()
    first = min((datetime.fromisoformat(t.replace("Z", "+00:00")).date() for t in times), default=today)
    last = max((datetime.fromisoformat(t.replace("Z", "+00:00")).date() for t in times), default=today)
    workspace = next(iter(record.workspaces.values()), None)
    calendar = load_calendar(
        conn_id, [record], from_=first.isoformat(), to=last.isoformat(), workspace_id=workspace
    )
    from airflow_provider_publer.hooks.publer import PublerHook

    jobs = ", ".join(f"<code>{_e(j)}</code>" for j in record.job_ids)
    body = (
        f"<p>Job(s) {jobs}; {len(record.posts)} post(s) asked for, {len(calendar.posts)} found on Publer "
        f"({calendar.publer_requests} Publer request(s)).</p>"
        f"{_post_rows(calendar.posts, PublerHook(publer_conn_id=conn_id).web_app_url())}"
    )
    return _page(f"Publer: {task_id}", body)

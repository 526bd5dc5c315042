"""The plugin's FastAPI app, mounted by Airflow's API server at ``/publer``.

Airflow gives a plugin's app no authentication of its own, so every route depends on Airflow's own
security: ``GetUserDep`` (the UI's session cookie or a bearer token from ``POST /auth/token``; 401
without one) and the auth manager's decisions: the calendar shows only posts traced to DAGs the
user may read, a task instance's tab needs read access to its DAG's task instances
(``requires_access_dag``; 403 otherwise), and the workspace and account ids of a connection are
listed only to users who may read that connection. Pages are rendered here, as HTML that the
Airflow UI shows in its frame; the connection's API key stays in the API server (no page, answer
or error carries it).

Imported only by the API server (see ``publer.PublerPlugin``).
"""

from __future__ import annotations

import html
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote, urlencode

from airflow.api_fastapi.auth.managers.models.resource_details import ConnectionDetails, DagAccessEntity
from airflow.api_fastapi.core_api.security import GetUserDep, requires_access_dag
from fastapi import Depends, FastAPI, Query
from fastapi.responses import HTMLResponse, JSONResponse

from airflow_provider_publer.constants import DEFAULT_CONN_ID
from airflow_provider_publer.plugins.calendar import (
    CACHE_SECONDS,
    MAX_PAGES,
    PAGE_SIZE,
    STATES,
    Calendar,
    CalendarPost,
    add_insights,
    load_calendar,
)
from airflow_provider_publer.plugins.records import TaskRecord, task_records

app = FastAPI(title="Publer", description="The Publer provider's pages in the Airflow UI")


def _auth_manager() -> Any:
    from airflow.api_fastapi.app import get_auth_manager

    return get_auth_manager()


def readable_dag_ids(user: Any) -> set[str]:
    """The DAGs the user may read, as Airflow's auth manager decides."""
    return set(_auth_manager().get_authorized_dag_ids(user=user, method="GET"))


def may_read_connection(user: Any, conn_id: str) -> bool:
    """Whether the auth manager lets the user read the connection (its workspace and account ids)."""
    return bool(
        _auth_manager().is_authorized_connection(
            method="GET", details=ConnectionDetails(conn_id=conn_id), user=user
        )
    )


_STYLE = """
body{font-family:system-ui,sans-serif;margin:16px;color:#1a202c}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{border-bottom:1px solid #e2e8f0;
padding:4px 8px;text-align:left;vertical-align:top}code{background:#edf2f7;padding:1px 4px}
.state-published{color:#2f855a}.state-failed{color:#c53030}.state-scheduled{color:#2b6cb0}
img.thumb{max-height:40px}form{margin:8px 0}nav a{margin-right:8px}.note{color:#4a5568}
"""

# Times in the user's time zone, as the rest of the UI (its "timezone" setting, else the
# browser's); copy buttons; links that leave the frame (the UI's frame allows no pop-ups and no
# top navigation, so the page asks its parent, which is the same origin, to open them).
_SCRIPT = """
var tz;try{tz=localStorage.getItem('timezone');tz=tz&&tz.charAt(0)=='"'?JSON.parse(tz):tz}catch(e){}
document.querySelectorAll('time[datetime]').forEach(function(t){var d=new Date(t.getAttribute('datetime'));
try{t.textContent=d.toLocaleString(undefined,tz?{timeZone:tz,timeZoneName:'short'}:{timeZoneName:'short'})}
catch(e){t.textContent=d.toLocaleString()}});
document.querySelectorAll('button[data-copy]').forEach(function(b){b.onclick=function(){
navigator.clipboard&&navigator.clipboard.writeText(b.dataset.copy);b.textContent='Copied'}});
document.querySelectorAll('a[data-open]').forEach(function(a){a.onclick=function(ev){
if(window.parent===window)return;ev.preventDefault();var p=window.parent;
try{var f=new p.Function('u','n','n?window.open(u,"_blank","noopener"):window.location.assign(u)');
p.setTimeout(f,0,a.href,a.dataset.open=='tab')}catch(e){window.location.href=a.href}}});
"""


def _page(title: str, body: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body><h2>{html.escape(title)}</h2>{body}"
        f"<script>{_SCRIPT}</script></body></html>",
        status_code=status_code,
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
    return html.escape(str(value if value is not None else ""), quote=True)


def _web_url(value: Any) -> str:
    """A URL from Publer's data, if it is a web address (never ``javascript:`` or the like)."""
    text = str(value or "").strip()
    return text if text.lower().startswith(("https://", "http://")) else ""


def _publer_error(err: Exception) -> str:
    return f"<p class='note'>Publer could not be read: {_e(err)}</p>"


def _insights_cell(post: CalendarPost) -> str:
    if not post.insights:
        return ""
    shown = [(k, v) for k, v in post.insights.items() if v is not None]
    return "<br>".join(f"{_e(k.replace('_', ' '))}: {_e(v)}" for k, v in shown)


def _post_rows(posts: list[CalendarPost], app_url: str, insights: bool = False) -> str:
    rows = []
    for item in posts:
        post, account, task = item.post, item.account, item.task
        when = post.get("scheduled_at") or ""
        live = _web_url(post.get("post_link"))
        media = post.get("media") or []
        thumb = next(
            (_web_url(m.get("thumbnail") or m.get("url")) for m in media if isinstance(m, dict)), None
        )
        links = [f"<a href='{_e(app_url)}' data-open='tab'>Publer</a>"]
        if live:
            links.append(f"<a href='{_e(live)}' data-open='tab'>Live post</a>")
        if task is not None:
            links.append(
                f"<a class='ti' href='{_e(_ti_url(task))}' data-open='top'>"
                f"{_e(task.dag_id)}.{_e(task.task_id)}</a>"
            )
        reason = f" ({_e(item.reason)})" if item.reason else ""
        thumb_cell = f"<img class='thumb' alt='media' src='{_e(thumb)}'>" if thumb else ""
        rows.append(
            f"<tr data-post-id='{_e(post.get('id'))}'>"
            f"<td><time datetime='{_e(when)}'>{_e(when)}</time></td>"
            f"<td>{_e(account.get('name') or post.get('account_id'))}</td>"
            f"<td>{_e(post.get('network') or account.get('provider'))}</td>"
            f"<td class='state state-{_e(item.state)}'>{_e(item.state)}{reason}</td>"
            f"<td>{_e(str(post.get('text') or '')[:120])}</td>"
            f"<td>{thumb_cell}</td>"
            + (f"<td>{_insights_cell(item)}</td>" if insights else "")
            + f"<td>{' · '.join(links)}</td></tr>"
        )
    columns = ["When", "Account", "Network", "State", "Text", "Media"]
    columns += ["Insights"] if insights else []
    columns += ["Links"]
    header = "<tr>" + "".join(f"<th>{c}</th>" for c in columns) + "</tr>"
    return f"<table class='posts'>{header}{''.join(rows)}</table>" if rows else "<p>No posts.</p>"


def _ids_table(calendar: Calendar) -> str:
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


def _app_url(conn_id: str) -> str:
    from airflow_provider_publer.hooks.publer import PublerHook

    hook = PublerHook(publer_conn_id=conn_id)
    try:
        return hook.web_app_url()
    finally:
        hook.close()


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
    """What the page and its JSON show: the period's posts of the DAGs the user may read."""
    readable = readable_dag_ids(user)
    records = task_records([d for d in readable if not dag_id or d == dag_id])
    first, last = _period(view, start)
    calendar = load_calendar(
        conn_id, records, from_=first.isoformat(), to=last.isoformat(), workspace_id=workspace_id or None
    )
    if not may_read_connection(user, conn_id):
        # The ids of a connection the user may not read: only the accounts of posts they may see.
        shown = {str(p.post.get("account_id")) for p in calendar.posts}
        calendar.workspaces = [w for w in calendar.workspaces if str(w.get("id")) == calendar.workspace_id]
        calendar.accounts = [a for a in calendar.accounts if str(a.get("id")) in shown]
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
        "app_url": _app_url(conn_id),
    }


def _failure(err: Exception) -> Exception | None:
    """A Publer or connection error to show (anything else is a bug and propagates)."""
    from airflow.exceptions import AirflowNotFoundException

    from airflow_provider_publer.exceptions import PublerError

    return err if isinstance(err, (PublerError, AirflowNotFoundException, ValueError)) else None


@app.get("/calendar", response_class=HTMLResponse)
def calendar_page(
    user: GetUserDep,
    conn_id: str = DEFAULT_CONN_ID,
    view: str = Query("week", pattern="^(week|month)$"),
    start: date | None = None,
    account: str | None = None,
    state: str | None = None,
    dag_id: str | None = None,
    workspace_id: str | None = None,
) -> HTMLResponse:
    """The content calendar of the connection's workspace: every post the user's DAGs scheduled."""
    try:
        data = calendar_data(user, conn_id, view, start, account, state, dag_id, workspace_id)
    except Exception as err:
        if _failure(err) is None:
            raise
        return _page("Publer", _publer_error(err), status_code=502)
    first, last = data["period"]
    calendar: Calendar = data["calendar"]
    params = {"conn_id": conn_id, "view": view}
    nav = " ".join(
        f"<a href='?{_e(urlencode({**params, 'view': v, 'start': first.isoformat()}))}'>{v.title()}</a>"
        for v in ("week", "month")
    )
    earlier = first - (timedelta(days=1) if view == "month" else timedelta(days=7))
    nav += (
        f" <a href='?{_e(urlencode({**params, 'start': earlier.isoformat()}))}'>&larr; Earlier</a>"
        f" <a href='?{_e(urlencode({**params, 'start': (last + timedelta(days=1)).isoformat()}))}'>"
        "Later &rarr;</a>"
    )

    def options(values: list[tuple[str, Any]], chosen: str | None) -> str:
        return "".join(
            f"<option value='{_e(v)}'{' selected' if v == chosen else ''}>{_e(label)}</option>"
            for v, label in values
        )

    filters = (
        f"<form><input type='hidden' name='conn_id' value='{_e(conn_id)}'><input type='hidden' name='view' "
        f"value='{_e(view)}'><input type='hidden' name='start' value='{first.isoformat()}'>"
        "<select name='account' aria-label='Account'><option value=''>All accounts</option>"
        f"{options([(str(a.get('id')), a.get('name')) for a in calendar.accounts], account)}</select> "
        "<select name='state' aria-label='State'><option value=''>All states</option>"
        f"{options([(s, s) for s in STATES], state)}</select> "
        "<select name='dag_id' aria-label='DAG'><option value=''>All DAGs</option>"
        f"{options([(d, d) for d in data['dag_ids']], dag_id)}</select> "
        "<button type='submit'>Filter</button></form>"
    )
    note = (
        f"<p class='note'>Connection <code>{_e(conn_id)}</code>, workspace "
        f"<code>{_e(calendar.workspace_id)}</code>, {first.isoformat()} to {last.isoformat()} ({view}): "
        f"{len(data['posts'])} post(s) of your DAGs. Publer requests for this view: "
        f"{calendar.publer_requests} (lists reused for {CACHE_SECONDS:.0f} s).</p>"
    )
    if calendar.truncated:
        note += (
            f"<p class='note'>Only the first {MAX_PAGES * PAGE_SIZE} posts of the period were read "
            "(the key's request budget): pick a week.</p>"
        )
    return _page(
        "Publer",
        f"<nav>{nav}</nav>{filters}{note}{_post_rows(data['posts'], data['app_url'])}{_ids_table(calendar)}",
    )


@app.get("/api/calendar")
def calendar_json(
    user: GetUserDep,
    conn_id: str = DEFAULT_CONN_ID,
    view: str = Query("week", pattern="^(week|month)$"),
    start: date | None = None,
    account: str | None = None,
    state: str | None = None,
    dag_id: str | None = None,
    workspace_id: str | None = None,
) -> JSONResponse:
    """The calendar as JSON (what the page shows)."""
    try:
        data = calendar_data(user, conn_id, view, start, account, state, dag_id, workspace_id)
    except Exception as err:
        if _failure(err) is None:
            raise
        return JSONResponse({"detail": f"Publer could not be read: {err}"}, status_code=502)
    calendar: Calendar = data["calendar"]
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
            "listed": calendar.listed,
            "truncated": calendar.truncated,
            "posts": [_post_json(p) for p in data["posts"]],
        }
    )


def _post_json(p: CalendarPost) -> dict[str, Any]:
    return {
        "id": p.post.get("id"),
        "account_id": p.post.get("account_id"),
        "network": p.post.get("network"),
        "text": p.post.get("text"),
        "scheduled_at": p.post.get("scheduled_at"),
        "state": p.state,
        "reason": p.reason,
        "post_link": p.post.get("post_link"),
        "insights": p.insights,
        "dag_id": p.task.dag_id if p.task else None,
        "run_id": p.task.run_id if p.task else None,
        "task_id": p.task.task_id if p.task else None,
        "map_index": p.task.map_index if p.task else None,
    }


def _map_index(value: str) -> int:
    """``{MAP_INDEX}`` as the UI fills it (left as is for a task that is not mapped)."""
    try:
        return int(value)
    except ValueError:
        return -1


def _find_record(dag_id: str, run_id: str, task_id: str, map_index: int) -> TaskRecord | None:
    found = task_records([dag_id], only=(dag_id, run_id, task_id, map_index))
    if not found and " " in run_id:
        # Airflow 3.1 puts the run id into the tab's URL unencoded: its "+00:00" arrives as " 00:00".
        run_id = run_id.replace(" ", "+")
        found = task_records([dag_id], only=(dag_id, run_id, task_id, map_index))
    return found[0] if found else None


def _tab_period(record: TaskRecord) -> tuple[str, str]:
    days = record.scheduled_days()
    today = datetime.now(timezone.utc).date()
    if days:
        return days[0], days[-1]
    # Posts known by id only: from the run's day to a year on (the listing stops once all are found).
    started = _run_day(record) or today
    return (started - timedelta(days=1)).isoformat(), (max(started, today) + timedelta(days=366)).isoformat()


def _run_day(record: TaskRecord) -> date | None:
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        started = session.scalar(
            select(DagRun.start_date).where(DagRun.dag_id == record.dag_id, DagRun.run_id == record.run_id)
        )
    return started.date() if started else None


def tab_data(record: TaskRecord, conn_id: str) -> dict[str, Any]:
    """The posts of one task instance, their state now and, once published, their insights."""
    workspace = next(iter(record.workspaces.values()), None)
    first, last = _tab_period(record)
    calendar = load_calendar(conn_id, [record], from_=first, to=last, workspace_id=workspace)
    requests, note = add_insights(conn_id, calendar.workspace_id, calendar.posts)
    return {"calendar": calendar, "requests": calendar.publer_requests + requests, "insights_note": note}


@app.get(
    "/task-instance",
    response_class=HTMLResponse,
    dependencies=[Depends(requires_access_dag("GET", DagAccessEntity.TASK_INSTANCE))],
)
def task_instance_page(
    user: GetUserDep,
    dag_id: str,
    run_id: str,
    task_id: str,
    map_index: str = "-1",
    conn_id: str = DEFAULT_CONN_ID,
) -> HTMLResponse:
    """The "Publer" tab of a task instance: the posts it scheduled or waited for, their state now."""
    record = _find_record(dag_id, run_id, task_id, _map_index(map_index))
    if record is None:
        return _page("Publer", "<p>This task instance recorded no Publer job or post.</p>")
    try:
        data = tab_data(record, conn_id)
        app_url = _app_url(conn_id)
    except Exception as err:
        if _failure(err) is None:
            raise
        return _page(f"Publer: {task_id}", _publer_error(err), status_code=502)
    calendar: Calendar = data["calendar"]
    jobs = ", ".join(f"<code>{_e(j)}</code>" for j in record.job_ids) or "none"
    asked = f"{len(record.posts)} post(s) asked for" if record.posts else "its posts known by id only"
    body = (
        f"<p class='note'>Job(s) {jobs}; {asked}, {len(calendar.posts)} found on Publer "
        f"({data['requests']} Publer request(s); reused for {CACHE_SECONDS:.0f} s).</p>"
    )
    if record.untraced and not record.post_ids:
        body += f"<p class='note'>Its posts cannot be traced: {_e(record.untraced)}.</p>"
    if data["insights_note"]:
        body += f"<p class='note'>{_e(data['insights_note'])}</p>"
    body += _post_rows(calendar.posts, app_url, insights=True)
    return _page(f"Publer: {task_id}", body)


@app.get(
    "/api/task-instance",
    dependencies=[Depends(requires_access_dag("GET", DagAccessEntity.TASK_INSTANCE))],
)
def task_instance_json(
    user: GetUserDep,
    dag_id: str,
    run_id: str,
    task_id: str,
    map_index: str = "-1",
    conn_id: str = DEFAULT_CONN_ID,
) -> JSONResponse:
    """The tab as JSON (what the tab shows)."""
    record = _find_record(dag_id, run_id, task_id, _map_index(map_index))
    if record is None:
        return JSONResponse({"job_ids": [], "posts": [], "untraced": ""})
    try:
        data = tab_data(record, conn_id)
    except Exception as err:
        if _failure(err) is None:
            raise
        return JSONResponse({"detail": f"Publer could not be read: {err}"}, status_code=502)
    return JSONResponse(
        {
            "job_ids": record.job_ids,
            "untraced": record.untraced,
            "publer_requests": data["requests"],
            "insights_note": data["insights_note"],
            "posts": [_post_json(p) for p in data["calendar"].posts],
        }
    )

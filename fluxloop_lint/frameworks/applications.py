"""Application, command-line, task and test frameworks: FastAPI, Flask, click, Typer, Celery,
Temporal, Ray, Modal, Prefect, Dagster, Marvin, pytest and pytest-asyncio (see
`fluxloop_lint.frameworks` for what each table means)."""

from __future__ import annotations

from fluxloop_lint.frameworks.registry import M, R, T, W, FrameworkClass, FrameworkDecorator, group, methods, names, under

_CLICK_PARAMETERS = (
    "option", "argument", "confirmation_option", "password_option", "version_option", "help_option",
    "custom_version_option",
)
_TEMPORAL_WORKFLOW = ("run", "signal", "query", "update")
_DAGSTER = (
    "asset", "op", "job", "graph", "multi_asset", "sensor", "schedule", "asset_check", "multi_asset_check",
    "graph_asset", "graph_multi_asset", "config_mapping", "failure_hook", "success_hook", "repository",
    "asset_sensor", "multi_asset_sensor", "observable_source_asset", "multi_observable_source_asset",
    "run_status_sensor", "run_failure_sensor", "resource", "logger", "io_manager", "input_manager",
    "dagster_type_loader",
)
_MODAL_PARTIAL_FUNCTIONS = (
    "method", "enter", "exit", "fastapi_endpoint", "web_endpoint", "asgi_app", "wsgi_app", "web_server",
    "batched", "concurrent", "clustered", "sessioned",
)
_CLICK_GROUPS = (
    "click.Group", "click.core.Group", "click.decorators.Group", "click.shell_completion.Group",
    "flask.cli.AppGroup", "flask.blueprints.AppGroup", "flask.cli.FlaskGroup",
)
_TYPER_GROUPS = ("typer.core.TyperGroup", "typer.main.TyperGroup", "typer.rich_utils.TyperGroup")
_CELERY_SIGNAL = (
    "celery.utils.dispatch.Signal", "celery.utils.dispatch.signal.Signal", "celery.signals.Signal",
    "celery.app.base.Signal", "celery.events.snapshot.Signal",
)
_FASTAPI_APPS = ("fastapi.FastAPI", "fastapi.applications.FastAPI")
_FASTAPI_ROUTERS = ("fastapi.APIRouter", "fastapi.routing.APIRouter")
_FLASK_APPS = ("flask.Flask", "flask.app.Flask", "flask.sansio.app.App", "flask.app.App", "flask.debughelpers.App")
_FLASK_BLUEPRINTS = (
    "flask.Blueprint", "flask.blueprints.Blueprint", "flask.sansio.blueprints.Blueprint",
    "flask.blueprints.SansioBlueprint", "flask.debughelpers.Blueprint",
)
_FLASK_SCAFFOLD = ("flask.sansio.scaffold.Scaffold",)

# Flask's methods common to apps and blueprints (`Scaffold`), with their forms: routes are
# called with a rule, request hooks take the function itself.
_FLASK_SCAFFOLD_METHODS = (
    methods(R, "called", "route get post put patch delete endpoint errorhandler"),
    methods(R, "bare", "before_request after_request teardown_request context_processor url_value_preprocessor url_defaults"),
)
_FASTAPI_ROUTES = "get post put patch delete options head trace api_route websocket websocket_route on_event"

DECORATORS: tuple[FrameworkDecorator, ...] = (
    *group(
        "Temporal", R, "both", "temporalio.activity.defn",
        note="its marker points at the original function, so a tracer above is never called",
    ),
    *group("Temporal", M, "both", *under(("temporalio.workflow",), _TEMPORAL_WORKFLOW)),
    *group("Temporal", M, "bare", "temporalio.workflow.init"),
    *group("Temporal", M, "both", "temporalio.workflow.defn"),  # on classes
    # General-purpose frameworks.
    *group("Celery", T, "both", "celery.shared_task", "celery.app.shared_task"),
    *group(
        "click", T, "both",
        "click.command", "click.group", "click.decorators.command", "click.decorators.group",
    ),
    *group(
        "click", M, "called", *under(("click", "click.decorators"), _CLICK_PARAMETERS),
        note="records the parameter on the function for the command built from it",
    ),
    *group("click", W, "bare", *under(("click", "click.decorators"), ("pass_context", "pass_obj"))),
    *group("click", W, "called", *under(("click", "click.decorators"), ("make_pass_decorator", "pass_meta_key"))),
    *group(
        "pytest", T, "both",
        "pytest.fixture", "_pytest.fixtures.fixture", "pytest.yield_fixture", "_pytest.fixtures.yield_fixture",
    ),
    *group("pytest-asyncio", T, "both", "pytest_asyncio.fixture", "pytest_asyncio.plugin.fixture"),
    *group("pytest", M, "both", "pytest.mark.*", "_pytest.mark.*"),
    *group("Ray", T, "both", "ray.remote", note="a wrapper's copied .remote silently skips the tracer"),
    *group("Modal", T, "called", *under(("modal", "modal.partial_function"), _MODAL_PARTIAL_FUNCTIONS)),
    *group(
        "Prefect", T, "both", *under(("prefect", "prefect.main"), ("flow", "task")), "prefect.flows.flow", "prefect.tasks.task",
    ),
    *group("Dagster", T, "both", *under(("dagster",), _DAGSTER)),
    *group(
        "Marvin", W, "both", "marvin.fn",
        note="the body never runs, so a FluxLoop decorator below it never fires: keep FluxLoop above",
    ),
)

CLASSES: tuple[FrameworkClass, ...] = (
    FrameworkClass(("celery.Celery", "celery.app.Celery", "celery.app.base.Celery", "celery.app.base.App",
                    "celery.apps.beat.Celery", "celery.schedules.Celery", "celery.worker.consumer.delayed_delivery.Celery"),
                   "Celery",
                   (methods(T, "both", "task"),),
                   attributes=tuple((signal, _CELERY_SIGNAL[0]) for signal in
                                    ("on_configure", "on_after_configure", "on_after_finalize", "on_after_fork"))),
    FrameworkClass(_CELERY_SIGNAL, "Celery signals", (methods(R, "both", "connect", note="`.connect(weak=False)` too"),)),
    FrameworkClass(_CLICK_GROUPS, "click", (methods(T, "both", "command group"), methods(R, "called", "result_callback"))),
    FrameworkClass(
        _TYPER_GROUPS, "click",
        (methods(T, "both", "command group",
                  releases="typer releases whose TyperGroup is a click.Group (before it vendored click)"),),
    ),
    FrameworkClass(("typer.Typer", "typer.main.Typer"), "Typer", (methods(R, "called", "command callback"),)),
    FrameworkClass(
        _FASTAPI_APPS, "FastAPI",
        (methods(R, "called", f"{_FASTAPI_ROUTES} middleware exception_handler"),
         methods(R, "called", "route", releases="FastAPI on Starlette before 1.0")),
        attributes=(("router", _FASTAPI_ROUTERS[0]), ("webhooks", _FASTAPI_ROUTERS[0])),
    ),
    FrameworkClass(_FASTAPI_ROUTERS, "FastAPI", (methods(R, "called", f"{_FASTAPI_ROUTES} route"),)),
    FrameworkClass(_FLASK_SCAFFOLD, "Flask", _FLASK_SCAFFOLD_METHODS),
    FrameworkClass(
        _FLASK_APPS, "Flask",
        (*_FLASK_SCAFFOLD_METHODS,
         methods(R, "bare", "teardown_appcontext shell_context_processor"),
         methods(R, "called", "template_filter template_global template_test")),
        attributes=(("cli", "flask.cli.AppGroup"),),
    ),
    FrameworkClass(
        _FLASK_BLUEPRINTS, "Flask",
        (*_FLASK_SCAFFOLD_METHODS,
         methods(R, "bare", "before_app_request after_app_request teardown_app_request app_context_processor "
                             "app_url_value_preprocessor app_url_defaults"),
         methods(T, "bare", "record record_once", note="returns None: the name no longer holds the function"),
         methods(R, "called", "app_errorhandler app_template_filter app_template_global app_template_test")),
        attributes=(("cli", "flask.cli.AppGroup"),),
    ),
    FrameworkClass(("modal.App", "modal.app.App", "modal.Stub"), "Modal",
                   (methods(T, "called", "function cls local_entrypoint server"),)),
)

# Framework objects that modules create at import time, by the class they are an instance of:
# `from celery.signals import worker_init` then `@worker_init.connect`.
_CELERY_SIGNALS = (
    "after_setup_logger after_setup_task_logger after_task_publish beat_embedded_init beat_init "
    "before_task_publish celeryd_after_setup celeryd_init eventlet_pool_apply eventlet_pool_postshutdown "
    "eventlet_pool_preshutdown eventlet_pool_started heartbeat_sent import_modules setup_logging task_failure "
    "task_internal_error task_postrun task_prerun task_received task_rejected task_retry task_revoked task_sent "
    "task_success task_unknown user_preload_options worker_before_create_process worker_init "
    "worker_process_init worker_process_shutdown worker_ready worker_shutdown worker_shutting_down"
).split()
INSTANCES: dict[str, str] = {
    **{f"celery.signals.{signal}": _CELERY_SIGNAL[0] for signal in _CELERY_SIGNALS},
    # The same signals, imported where celery sends them.
    "celery.bin.base.user_preload_options": _CELERY_SIGNAL[0],
    "celery.concurrency.asynpool.worker_before_create_process": _CELERY_SIGNAL[0],
    "celery.worker.heartbeat.heartbeat_sent": _CELERY_SIGNAL[0],
}

DECORATED_RESULT_CLASS: dict[str, str] = {
    "click.group": "click.Group",
    "click.decorators.group": "click.Group",
    **{f"{group}.group": group for group in _CLICK_GROUPS if group.startswith("click.")},
    "flask.cli.AppGroup.group": "flask.cli.AppGroup",  # FlaskGroup's subgroups are AppGroups too
    "flask.cli.FlaskGroup.group": "flask.cli.AppGroup",
}

NOT_DECORATORS: dict[str, frozenset[str]] = {
    "celery.Celery": names(
        "add_defaults add_periodic_task autodiscover_tasks broker_connection bugreport close "
        "config_from_cmdline config_from_envvar config_from_object connection connection_for_read "
        "connection_for_write connection_or_acquire create_task_cls default_connection default_producer "
        "either finalize gen_task_name now on_init prepare_config producer_or_acquire register_task "
        "select_queues send_task set_current set_default setup_security signature start "
        "subclass_with_self type_checker uses_utc_timezone worker_main"
    ),
    "celery.utils.dispatch.Signal": names(
        "disconnect has_listeners send send_robust"
    ),
    "click.Group": names(
        "add_command collect_usage_pieces format_arguments format_commands format_epilog format_help "
        "format_help_text format_options format_usage get_command get_help get_help_option "
        "get_help_option_names get_params get_short_help_str get_usage invoke list_commands main "
        "make_context make_parser parse_args resolve_command shell_complete to_info_dict"
    ),
    "typer.core.TyperGroup": names(
        "add_command collect_usage_pieces format_commands format_epilog format_help format_help_text "
        "format_options format_usage get_command get_help get_help_option get_help_option_names "
        "get_params get_short_help_str get_usage invoke list_commands main make_context make_parser "
        "parse_args resolve_command shell_complete"
    ),
    "typer.Typer": names(
        "add_typer"
    ),
    "fastapi.FastAPI": names(
        "add_api_route add_api_websocket_route add_exception_handler add_middleware add_route "
        "build_middleware_stack frontend host include_router mount openapi setup url_path_for"
    ),
    "fastapi.APIRouter": names(
        "add_api_route add_api_websocket_route add_event_handler add_route add_websocket_route app "
        "frontend handle host include_router lifespan matches mount not_found url_path_for"
    ),
    "flask.sansio.scaffold.Scaffold": names(
        "add_url_rule register_error_handler"
    ),
    "flask.Flask": names(
        "add_template_filter add_template_global add_template_test add_url_rule app_context async_to_sync "
        "auto_find_instance_path create_global_jinja_loader create_jinja_environment create_url_adapter "
        "dispatch_request do_teardown_appcontext do_teardown_request ensure_sync finalize_request "
        "full_dispatch_request get_send_file_max_age handle_exception handle_http_exception "
        "handle_url_build_error handle_user_exception inject_url_defaults iter_blueprints log_exception "
        "make_aborter make_config make_default_options_response make_response make_shell_context "
        "open_instance_resource open_resource preprocess_request process_response raise_routing_exception "
        "redirect register_blueprint register_error_handler request_context run select_jinja_autoescape "
        "send_static_file should_ignore_error test_cli_runner test_client test_request_context "
        "trap_http_exception update_template_context url_for wsgi_app"
    ),
    "flask.Blueprint": names(
        "add_app_template_filter add_app_template_global add_app_template_test add_url_rule "
        "get_send_file_max_age make_setup_state open_resource register register_blueprint "
        "register_error_handler send_static_file"
    ),
    "_pytest.fixtures": names(
        "call_fixture_func deduplicate_names get_param_argkeys get_scope_node get_scope_package "
        "getfixturemarker is_visibility_more_specific pytest_addoption pytest_cmdline_main "
        "pytest_fixture_setup pytest_sessionstart register_fixture reorder_items reorder_items_atscope "
        "resolve_fixture_function show_fixtures_per_test showfixtures traverse_fixture_closure "
        "write_docstring"
    ),
    "celery.app": names(
        "bugreport"
    ),
    "pytest_asyncio.plugin": names(
        "is_async_test pytest_addoption pytest_configure pytest_fixture_setup pytest_generate_tests "
        "pytest_pycollect_makeitem_convert_async_functions_to_subclass pytest_pyfunc_call "
        "pytest_report_header"
    ),
}

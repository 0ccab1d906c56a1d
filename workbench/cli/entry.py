"""The entry point: run the command line, errors in words, never a traceback."""

from __future__ import annotations

import gc
import io
import sys
from contextlib import redirect_stdout
from typing import Any

import click

from workbench.cli.common import Context, warn_plugin_failures, words
from workbench.cli.root import cli
from workbench.errors import BadInput, ClockError, DeskError, Invalid, Refused, StoreError


def main(argv: list[str] | None = None) -> None:
    """Run the command line; exit 2 for bad input, 1 for everything else."""
    context = Context()
    args = argv if argv is not None else sys.argv[1:]
    debug = "--debug" in args
    options = args[: args.index("--")] if "--" in args else args
    # Known before anything is parsed: a usage error, or an option before --json that
    # fails to parse, is answered as one JSON document too.
    context.json = "--json" in options
    # Starting the terminal desk builds only objects that live as long as it does: the
    # cycle collector would walk them again and again (20-30 ms of the start). Paused
    # here; a subcommand turns it back on, the desk once its queue is loaded.
    gc.disable()
    # --help and --version print text and exit; with --json that text is put in a document.
    eager = next((option for option in options if option in EAGER_OPTIONS), None) if context.json else None
    printed = io.StringIO()
    try:
        _check_arguments(args)
        if eager is None:
            cli.main(args=argv, prog_name="workbench", standalone_mode=False, obj=context)
        else:
            with redirect_stdout(printed):
                cli.main(args=argv, prog_name="workbench", standalone_mode=False, obj=context)
            import orjson

            click.echo(orjson.dumps(_eager_document(eager, printed.getvalue())).decode())
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        _fail(context, "aborted", 1)
    except click.ClickException as exc:
        _fail(
            context,
            exc.format_message(),
            2 if isinstance(exc, click.UsageError) else exc.exit_code,
            field=getattr(getattr(exc, "param", None), "name", None),
        )
    except Invalid as exc:
        _fail(
            context,
            f"not saved: {exc}",
            2,
            rule=_deciding_rule(exc),
            findings=[f.to_dict() for f in exc.findings],
        )
    except BadInput as exc:
        _fail(context, str(exc), 2, field=exc.field, **({"rule": exc.rule} if exc.rule else {}))
    except Refused as exc:
        _fail(context, _refusal(context, exc), 1, rule=exc.decision.rule, decision=exc.decision.to_dict())
    except ClockError as exc:
        _fail(context, str(exc), 2, field=exc.what)
    except OSError as exc:
        _fail(context, f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), 1)
    except (DeskError, StoreError) as exc:
        _fail(context, str(exc), 1)
    except Exception as exc:
        if debug:
            raise
        _fail(context, f"unexpected error: {type(exc).__name__}: {exc} (run with --debug for details)", 1)
    finally:
        gc.enable()
        context.close()


EAGER_OPTIONS = ("-h", "--help", "--version")
"""Options that print and end the command before it runs."""


def _eager_document(option: str, text: str) -> dict[str, str]:
    """What ``--help`` or ``--version`` printed, as the one JSON document ``--json`` promises."""
    if option == "--version":
        from workbench import __version__

        return {"program": "workbench", "version": __version__}
    return {"help": text}


def _check_arguments(args: list[str]) -> None:
    """Refuse an argument that is not valid UTF-8 (the system hands its bytes over as lone
    surrogates), naming it with its bytes escaped."""
    for number, arg in enumerate(args, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            raw = arg.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
            raise BadInput(f"argument {number}", f"'{raw}' is not valid UTF-8 text") from None


def _deciding_rule(exc: Invalid) -> str | None:
    """The rule of the first error among the findings that refused the change."""
    return next((f.rule for f in exc.findings if f.level == "error"), None)


def _refusal(context: Context, exc: Refused) -> str:
    """A refusal in words: the rule, the reason, what is missing and from when (in the desk's
    time zone; a refusal comes from the desk, so it is open)."""
    return f"refused by {words(context.desk()).decision_text(exc.decision)}"


def _fail(context: Context, message: str, status: int, **detail: Any) -> None:
    import orjson

    from workbench.render import visible

    warn_plugin_failures(context)
    click.echo(visible(f"workbench: {message}"), err=True)
    if context.json:
        click.echo(orjson.dumps({"error": {"message": message, **detail}}, default=str).decode())
    sys.exit(status)

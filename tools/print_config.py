# Copyright (c) kd_plugins contributors. Licensed under the Apache License 2.0.
"""Print a config as the tools resolve it (bases merged, mmcls configs
translated, ``--cfg-options`` applied).

Examples:
    python tools/print_config.py configs/ssdkd/ssdkd_resnet20_resnet8_digits.py
    python tools/print_config.py CONFIG --cfg-options model.data_scale=500
    python tools/print_config.py CONFIG --format json > resolved.json
"""
import argparse
import json

import kd_plugins  # noqa: F401  (compat layer + registries, before mmrazor)
from kd_plugins.cli.args import CfgOptionsAction, tool_parser
from kd_plugins.cli.config_loading import load_config
from kd_plugins.cli.run import run_cli


def parse_args(argv=None) -> argparse.Namespace:
    parser = tool_parser('Print a resolved config', 'config file path')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=CfgOptionsAction,
        help='override config settings, key=value pairs')
    parser.add_argument(
        '--format',
        choices=['py', 'json'],
        default='py',
        help="'py': mmengine's pretty text; 'json': the resolved dict")
    parser.add_argument('--debug', action='store_true',
                        help='show the full traceback of an error')
    return parser.parse_args(argv)


def print_config(argv, state) -> str:
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    text = json.dumps(cfg.to_dict(), indent=1, sort_keys=True,
                      default=repr) if args.format == 'json' \
        else cfg.pretty_text
    print(text)
    return text


def main(argv=None) -> None:
    run_cli(print_config, argv)


if __name__ == '__main__':
    main()

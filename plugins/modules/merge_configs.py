# -*- coding: utf-8 -*-
# Copyright: kolla-glance contributors
# Apache License 2.0 (see LICENSE)
# Documentation only: merge_configs is an action plugin (plugins/action/merge_configs.py)
# that runs on the controller and writes the result with ansible.builtin.copy.

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: merge_configs
short_description: Merge INI files the way kolla-ansible merges node_custom_config overrides
version_added: 0.1.0
description:
  - Renders each source that exists on the controller as a template with the task's variables, reads it as INI and merges it over the ones before it; a key of a later source replaces the same key of the same section, new sections and keys are added.
  - The merged file is written to O(dest) on the target by M(ansible.builtin.copy), so check mode, diff, C(changed) and the file attributes are copy's.
  - Comments are not kept. A source that is not valid INI fails the task and names the file; nothing is written.
options:
  sources:
    description:
      - Paths on the controller, in merge order. The first (the role's template) must exist; the others are skipped when missing, as kolla's global.conf, <service>.conf and per-host files are.
    type: list
    elements: path
    required: true
  dest:
    description:
      - The merged file on the target.
    type: path
    required: true
  mode:
    description:
      - The file's mode, as M(ansible.builtin.copy) takes it.
    type: raw
  owner:
    description:
      - The file's owner, as M(ansible.builtin.copy) takes it.
    type: str
  group:
    description:
      - The file's group, as M(ansible.builtin.copy) takes it.
    type: str
author:
  - kolla-glance contributors
'''

EXAMPLES = r'''
- name: Copying over glance-api.conf
  kolla.glance.merge_configs:
    sources:
      - "{{ role_path }}/templates/glance-api.conf.j2"
      - "{{ node_custom_config }}/global.conf"
      - "{{ node_custom_config }}/glance.conf"
      - "{{ node_custom_config }}/glance/glance-api.conf"
      - "{{ node_custom_config }}/glance/{{ inventory_hostname }}/glance-api.conf"
    dest: "{{ node_config_directory }}/glance-api/glance-api.conf"
    mode: "0660"
'''

RETURN = r'''
sources:
  description: The sources that existed and were merged, in order.
  type: list
  elements: str
  returned: success
'''

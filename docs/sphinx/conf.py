# Sphinx configuration of the documentation site (make docs; scripts/checks/docs.sh assembles the
# sources: the plugin and role pages antsibull-docs writes from the installed collection, the
# Markdown pages of docs/, the changelog). Offline: nothing is fetched, every reference resolves
# here or through the stub inventory below, and any warning fails the build.
import os
import zlib
project = 'netdevops.ovs_docker'
copyright = 'netdevops.ovs_docker developers'
title = html_title = html_short_title = 'netdevops.ovs_docker'

extensions = ['sphinx_antsibull_ext', 'myst_parser', 'sphinx.ext.intersphinx']
source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
# Markdown headings get anchors, so that links such as guide.md#check-mode-and-diffs resolve.
myst_heading_anchors = 3

pygments_style = 'ansible'
highlight_language = 'YAML+Jinja'
html_theme = 'sphinx_ansible_theme'
html_show_sphinx = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False
# (no top bar of links to ansible.com's blog and forum: this is not Ansible's own site)
html_theme_options = {'collapse_navigation': False, 'topbar_links': {}}

default_role = 'any'
nitpicky = True

# The pages antsibull-docs writes refer to a few sections of Ansible's own documentation by label.
# A stub inventory of just those labels, written here, lets them resolve to docs.ansible.com
# without fetching its inventory; a label missing from it fails the build (nitpicky).
ANSIBLE_DOCS = 'https://docs.ansible.com/projects/ansible/devel/'
ANSIBLE_LABELS = {
    'ansible_configuration_settings': ('reference_appendices/config.html#ansible-configuration-settings',
                                       'Ansible Configuration Settings'),
    'action_plugins': ('plugins/action.html#action-plugins', 'Action plugins'),
    'common_return_values': ('reference_appendices/common_return_values.html#common-return-values',
                             'Return Values'),
}
_stub = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '.build', 'docs', 'ansible_devel.inv')
os.makedirs(os.path.dirname(_stub), exist_ok=True)
with open(_stub, 'wb') as _inventory:
    _inventory.write(b'# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n'
                     b'# The remainder of this file is compressed using zlib.\n')
    _inventory.write(zlib.compress(''.join('%s std:label -1 %s %s\n' % (name, uri, title)
                                           for name, (uri, title) in sorted(ANSIBLE_LABELS.items())).encode()))
intersphinx_mapping = {'ansible_devel': (ANSIBLE_DOCS, _stub)}


def setup(app):
    # Mermaid blocks (docs/internals.md) are pictures where Markdown is rendered (GitHub, GitLab);
    # here, with no Mermaid extension offline, they are shown as their text.
    from pygments.lexers.special import TextLexer
    app.add_lexer('mermaid', TextLexer)

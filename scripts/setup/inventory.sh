# shellcheck shell=bash
# What the test beds' inventories share (sourced by fleet.sh and guests.sh): their hosts are
# reached as root over SSH with a key made for the run, with Debian's Python.
# ssh_group_vars GROUP KEY: the [GROUP:vars] section.
ssh_group_vars() {
  cat <<VARS

[$1:vars]
ansible_user=root
ansible_ssh_private_key_file=$2
ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ControlMaster=auto -o ControlPersist=120s'
ansible_python_interpreter=/usr/bin/python3
ansible_pipelining=true
VARS
}

package upgrade

// NewInput is an Input with the defaults kolla.glance.upgrade_plan
// documents for its options (written here as the documentation states
// them, not read from the spec): legacy mode, mariadb,
// file_datadir_shared true, max_unavailable 1, loadbalancer true,
// db_state unknown, on_unsafe fail, on_failure rollback.
func NewInput(apiHosts ...string) Input {
	return Input{
		APIHosts:          apiHosts,
		FileDatadirShared: true,
		Database:          DatabaseMariaDB,
		MaxUnavailable:    1,
		LoadBalancer:      true,
		OnUnsafe:          OnUnsafeFail,
		OnFailure:         OnFailureRollback,
	}
}

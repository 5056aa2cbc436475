/* bus.h: what the D-Bus modules share (bus.c, bus-user.c, bus-call.c). */
#ifndef DSTNYD_BUS_H
#define DSTNYD_BUS_H

#include <systemd/sd-bus.h>

#include "dstnyd.h"

#define DSTNY_BUS_NAME	"org.dstnyd.Cti1"
#define DSTNY_BUS_IFACE	"org.dstnyd.Cti1"
#define DSTNY_BUS_ROOT	"/org/dstnyd/Cti1"

extern sd_bus	*dbus;

void	bus_update(void);
void	bus_users_changed(void);
int	bus_user_init(sd_bus *);
int	bus_call_init(sd_bus *);
int	bus_queue_init(sd_bus *);
int	bus_check_owner(sd_bus_message *, const struct duser *, sd_bus_error *);
int	bus_run_login(sd_bus_message *, struct duser *, struct dqueue *, int login);
int	bus_read_options(sd_bus_message *, struct action_args *, sd_bus_error *);
int	bus_run_action(sd_bus_message *, struct duser *, struct dcall *,
	    enum call_op, const struct action_args *, int want_path);
void	bus_user_signal_call(struct dcall *, int added, const char *reason);
int	bus_run_linestate(sd_bus_message *, struct duser *, const char *id,
	    int64_t expires, int clear);

#endif

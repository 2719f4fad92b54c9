/*
 * ioctl(2) and a readability watch for Node (N-API, libuv). See README.md: all GPIO knowledge is in TypeScript.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <node_api.h>
#include <uv.h>

#define CHECK(call)                                                   \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error(env, NULL, "lattice-gpio-cdev: " #call " failed"); \
      return NULL;                                                    \
    }                                                                 \
  } while (0)

/* ioctl(fd, request, buffer) -> result or -errno */
static napi_value js_ioctl(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) {
    napi_throw_type_error(env, NULL, "ioctl(fd, request, buffer)");
    return NULL;
  }
  int32_t fd;
  uint32_t request;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  CHECK(napi_get_value_uint32(env, argv[1], &request));
  bool is_typed;
  CHECK(napi_is_typedarray(env, argv[2], &is_typed));
  if (!is_typed) {
    napi_throw_type_error(env, NULL, "ioctl: the argument must be a Uint8Array");
    return NULL;
  }
  napi_typedarray_type type;
  size_t length;
  void *data;
  napi_value arraybuffer;
  size_t offset;
  CHECK(napi_get_typedarray_info(env, argv[2], &type, &length, &data, &arraybuffer, &offset));
  /* The struct size is encoded in the request (_IOC_SIZE): never let the kernel write past the buffer. */
  size_t size = (request >> 16) & 0x3fff;
  if (type != napi_uint8_array || length < size) {
    napi_throw_range_error(env, NULL, "ioctl: the buffer is shorter than the request's struct");
    return NULL;
  }
  int r = ioctl(fd, (unsigned long)request, data);
  napi_value result;
  CHECK(napi_create_int32(env, r < 0 ? -errno : r, &result));
  return result;
}

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
  int stopped;
} watch_t;

static void on_closed(uv_handle_t *handle) {
  free(handle->data);
}

static void on_poll(uv_poll_t *poll, int status, int events) {
  (void)events;
  watch_t *w = poll->data;
  if (w->stopped) return;
  napi_env env = w->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value cb, recv, arg;
  if (napi_get_reference_value(env, w->callback, &cb) == napi_ok && cb != NULL) {
    /* The receiver must be an object: node::MakeCallback enters the receiver's context (undefined is refused
     * with napi_object_expected and the callback silently never runs). */
    napi_get_global(env, &recv);
    napi_create_int32(env, status, &arg);
    /* make_callback, not call_function: runs the microtask queue after, as any I/O callback does. */
    napi_make_callback(env, w->context, recv, cb, 1, &arg, NULL);
  }
  napi_close_handle_scope(env, scope);
}

static void stop_watch(napi_env env, watch_t *w) {
  if (w->stopped) return;
  w->stopped = 1;
  uv_poll_stop(&w->poll);
  napi_delete_reference(env, w->callback);
  napi_async_destroy(env, w->context);
  uv_close((uv_handle_t *)&w->poll, on_closed);
}

/* watch(fd, callback) -> handle */
static napi_value js_watch(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  watch_t *w = calloc(1, sizeof(watch_t));
  if (!w) {
    napi_throw_error(env, "ENOMEM", "watch: out of memory");
    return NULL;
  }
  w->env = env;
  int r = uv_poll_init(loop, &w->poll, fd);
  if (r != 0) {
    free(w);
    napi_throw_error(env, uv_err_name(r), uv_strerror(r));
    return NULL;
  }
  w->poll.data = w;
  napi_value name;
  CHECK(napi_create_string_utf8(env, "lattice-gpio-cdev:watch", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_create_reference(env, argv[1], 1, &w->callback));
  CHECK(napi_async_init(env, NULL, name, &w->context));
  r = uv_poll_start(&w->poll, UV_READABLE, on_poll);
  if (r != 0) {
    stop_watch(env, w);
    napi_throw_error(env, uv_err_name(r), uv_strerror(r));
    return NULL;
  }
  napi_value handle;
  CHECK(napi_create_external(env, w, NULL, NULL, &handle));
  return handle;
}

/* unwatch(handle): the memory goes when libuv has closed the handle, so the JS side calls this once per watch. */
static napi_value js_unwatch(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *data;
  CHECK(napi_get_value_external(env, argv[0], &data));
  stop_watch(env, (watch_t *)data);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"ioctl", NULL, js_ioctl, NULL, NULL, NULL, napi_enumerable, NULL},
    {"watch", NULL, js_watch, NULL, NULL, NULL, napi_enumerable, NULL},
    {"unwatch", NULL, js_unwatch, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  CHECK(napi_define_properties(env, exports, 3, props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

{
  "targets": [
    {
      "target_name": "gpio_cdev",
      "sources": ["src/gpio_cdev.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}

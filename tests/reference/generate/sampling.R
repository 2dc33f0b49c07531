#!/usr/bin/env Rscript
# -----------------------------------------------------------------------------
# Reference values for cxmetrics.sampling (sample size, margin, power), from R.
#
# Run from the repository root:
#     Rscript tests/reference/generate/sampling.R
# Output:
#     tests/reference/data/sampling.json   (generated - do not edit)
#
# Needs the `pwr` package (Debian: apt-get install r-cran-pwr) and jsonlite.
# No random numbers are used. Every value is written at full precision with
# jsonlite::write_json(digits = NA); nothing is taken from print().
#
# Conventions (see tests/reference/README.md):
#   * NPS on the proportion scale here: unit variance V = p+ + p- - (p+ - p-)^2;
#     margins and differences in the fixture are in NPS points (x100).
#   * NPS difference power = pwr.norm.test with d = (delta/100) / sqrt(V1 + V2)
#     and n = n per group (equal allocation; the z test of two independent
#     means with known variance).
#   * Shares: power.prop.test(strict = TRUE) - pooled variance under H0,
#     unpooled under H1, both tails counted (equal n).
#   * Means: power.t.test(strict = TRUE) (equal n) and pwr.t2n.test (unequal n),
#     both two-tailed noncentral t on n1 + n2 - 2 df.
#   * uniroot tolerances: our own calls use tol = 1e-12; pwr's internal
#     uniroot uses its default (.Machine$double.eps^0.25), so `n_pwr` and
#     `d_pwr` are only accurate to about 1e-4 (absolute).
# -----------------------------------------------------------------------------

suppressPackageStartupMessages({
  library(pwr)
  library(jsonlite)
})

all_args <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", all_args[grep("^--file=", all_args)])
script_dir <- if (length(file_arg) == 1) dirname(normalizePath(file_arg)) else
  normalizePath("tests/reference/generate")
out_path <- file.path(normalizePath(file.path(script_dir, "..")), "data",
                      "sampling.json")

nps_var <- function(pp, pn) pp + pn - (pp - pn)^2
zq <- function(level) qnorm(0.5 + level / 2)
cases <- list()
add <- function(case) cases[[length(cases) + 1]] <<- case

# ---- 1. NPS margin of error -> n (Wald) --------------------------------------
nps_margin <- list(
  list(pp = 0.5, pn = 0.5, margin = 5, level = 0.95),
  list(pp = 0.5, pn = 0.2, margin = 5, level = 0.95),
  list(pp = 0.5, pn = 0.2, margin = 3, level = 0.95),
  list(pp = 0.3, pn = 0.3, margin = 10, level = 0.90),
  list(pp = 0.6, pn = 0.1, margin = 4, level = 0.99),
  list(pp = 0.25, pn = 0.45, margin = 7.5, level = 0.95)
)
for (k in seq_along(nps_margin)) {
  x <- nps_margin[[k]]
  v <- nps_var(x$pp, x$pn)
  add(list(
    name = sprintf("nps_margin_%d", k), kind = "nps_margin",
    inputs = list(promoters = x$pp, detractors = x$pn, margin = x$margin,
                  confidence_level = x$level),
    expected = list(n_exact = zq(x$level)^2 * v / (x$margin / 100)^2,
                    unit_variance = v),
    tolerance = list(rtol = 1e-10, reason = "closed form, qnorm")
  ))
}

# ---- 2. Share margin with finite-population correction -----------------------
share_fpc <- list(
  list(p = 0.5, margin = 0.05, level = 0.95, N = 1000),
  list(p = 0.5, margin = 0.05, level = 0.95, N = 100),
  list(p = 0.3, margin = 0.03, level = 0.95, N = 20000),
  list(p = 0.8, margin = 0.04, level = 0.90, N = 500)
)
for (k in seq_along(share_fpc)) {
  x <- share_fpc[[k]]
  n0 <- zq(x$level)^2 * x$p * (1 - x$p) / x$margin^2
  add(list(
    name = sprintf("share_margin_fpc_%d", k), kind = "share_margin_fpc",
    inputs = list(share = x$p, margin = x$margin, confidence_level = x$level,
                  population = x$N),
    # n such that z * sqrt(p q / n * (N - n) / (N - 1)) = margin
    expected = list(n_exact = uniroot(
      function(n) zq(x$level) * sqrt(x$p * (1 - x$p) / n * (x$N - n) / (x$N - 1)) -
        x$margin, c(1e-6, x$N), tol = 1e-12)$root,
      n_cochran = n0 * x$N / (x$N - 1 + n0)),
    tolerance = list(rtol = 1e-8, reason = "uniroot tol 1e-12 on n")
  ))
}

# ---- 3. Mean margin, t interval ----------------------------------------------
mean_t <- list(
  list(sd = 1.0, margin = 0.1, level = 0.95),
  list(sd = 2.5, margin = 0.5, level = 0.95),
  list(sd = 0.9, margin = 0.25, level = 0.90),
  list(sd = 1.2, margin = 0.6, level = 0.99)
)
for (k in seq_along(mean_t)) {
  x <- mean_t[[k]]
  root <- uniroot(function(n) qt(0.5 + x$level / 2, n - 1) * x$sd / sqrt(n) - x$margin,
                  c(1 + 1e-6, 1e7), tol = 1e-12)$root
  add(list(
    name = sprintf("mean_margin_t_%d", k), kind = "mean_margin_t",
    inputs = list(sd = x$sd, margin = x$margin, confidence_level = x$level),
    expected = list(n_exact = root),
    tolerance = list(rtol = 1e-8, reason = "uniroot tol 1e-12 on n; qt")
  ))
}

# ---- 4. NPS difference: pwr.norm.test ----------------------------------------
nps_diff <- list(
  list(pp = 0.5, pn = 0.2, delta = 10, n = 958, alpha = 0.05, alt = "two.sided"),
  list(pp = 0.5, pn = 0.2, delta = 10, n = 500, alpha = 0.05, alt = "two.sided"),
  list(pp = 0.5, pn = 0.5, delta = 15, n = 300, alpha = 0.05, alt = "two.sided"),
  list(pp = 0.4, pn = 0.25, delta = 8, n = 1000, alpha = 0.10, alt = "greater"),
  list(pp = 0.65, pn = 0.1, delta = 5, n = 2000, alpha = 0.01, alt = "two.sided")
)
for (k in seq_along(nps_diff)) {
  x <- nps_diff[[k]]
  v <- nps_var(x$pp, x$pn)
  d <- (x$delta / 100) / sqrt(2 * v)
  add(list(
    name = sprintf("nps_difference_pwr_%d", k), kind = "nps_difference_pwr",
    inputs = list(promoters = x$pp, detractors = x$pn, difference = x$delta,
                  n = x$n, alpha = x$alpha,
                  alternative = if (x$alt == "two.sided") "two-sided" else "one-sided",
                  power_target = 0.8),
    expected = list(
      power = pwr.norm.test(d = d, n = x$n, sig.level = x$alpha,
                            alternative = x$alt)$power,
      n_pwr = pwr.norm.test(d = d, power = 0.8, sig.level = x$alpha,
                            alternative = x$alt)$n,
      mdd_pwr = 100 * sqrt(2 * v) * pwr.norm.test(n = x$n, power = 0.8,
                                                  sig.level = x$alpha,
                                                  alternative = x$alt)$d),
    tolerance = list(rtol_power = 1e-10, rtol_pwr_root = 1e-4,
                     reason = "power is a closed form; n and d come from pwr's uniroot (default tol)")
  ))
}

# ---- 5. Share difference: power.prop.test -------------------------------------
props <- list(
  list(p1 = 0.6, p2 = 0.65, alpha = 0.05, alt = "two.sided", n = 1000),
  list(p1 = 0.6, p2 = 0.55, alpha = 0.05, alt = "one.sided", n = 800),
  list(p1 = 0.3, p2 = 0.4, alpha = 0.05, alt = "two.sided", n = 200),
  list(p1 = 0.85, p2 = 0.9, alpha = 0.01, alt = "two.sided", n = 1500),
  list(p1 = 0.1, p2 = 0.05, alpha = 0.10, alt = "one.sided", n = 300)
)
for (k in seq_along(props)) {
  x <- props[[k]]
  add(list(
    name = sprintf("share_difference_prop_test_%d", k), kind = "share_difference_prop_test",
    inputs = list(share = x$p1, share_other = x$p2, alpha = x$alpha,
                  alternative = if (x$alt == "two.sided") "two-sided" else "one-sided",
                  power_target = 0.8, n = x$n),
    expected = list(
      n_exact = power.prop.test(p1 = x$p1, p2 = x$p2, power = 0.8, sig.level = x$alpha,
                                alternative = x$alt, strict = TRUE, tol = 1e-12)$n,
      power = power.prop.test(n = x$n, p1 = x$p1, p2 = x$p2, sig.level = x$alpha,
                              alternative = x$alt, strict = TRUE)$power),
    tolerance = list(rtol = 1e-8, reason = "uniroot tol 1e-12 on n; power closed form")
  ))
}

# ---- 6. Mean difference: power.t.test and pwr.t2n.test ------------------------
tt <- list(
  list(delta = 0.2, sd = 1, alpha = 0.05, alt = "two.sided", n = 400),
  list(delta = 0.5, sd = 2.5, alpha = 0.05, alt = "one.sided", n = 150),
  list(delta = 1.0, sd = 1.5, alpha = 0.01, alt = "two.sided", n = 20),
  list(delta = 0.3, sd = 0.9, alpha = 0.10, alt = "two.sided", n = 60)
)
for (k in seq_along(tt)) {
  x <- tt[[k]]
  add(list(
    name = sprintf("mean_difference_t_test_%d", k), kind = "mean_difference_t_test",
    inputs = list(difference = x$delta, sd = x$sd, alpha = x$alpha,
                  alternative = if (x$alt == "two.sided") "two-sided" else "one-sided",
                  power_target = 0.8, n = x$n),
    expected = list(
      n_exact = power.t.test(delta = x$delta, sd = x$sd, power = 0.8, sig.level = x$alpha,
                             alternative = x$alt, strict = TRUE, tol = 1e-12)$n,
      power = power.t.test(n = x$n, delta = x$delta, sd = x$sd, sig.level = x$alpha,
                           alternative = x$alt, strict = TRUE)$power),
    tolerance = list(rtol = 1e-8, reason = "uniroot tol 1e-12 on n; pt with ncp")
  ))
}
t2n <- list(
  list(n1 = 300, n2 = 150, d = 0.3, alpha = 0.05, alt = "two.sided"),
  list(n1 = 50, n2 = 200, d = 0.4, alpha = 0.05, alt = "greater"),
  list(n1 = 12, n2 = 30, d = 0.8, alpha = 0.10, alt = "two.sided")
)
for (k in seq_along(t2n)) {
  x <- t2n[[k]]
  add(list(
    name = sprintf("mean_difference_t2n_%d", k), kind = "mean_difference_t2n",
    inputs = list(n = x$n1, n_other = x$n2, difference = x$d, sd = 1, alpha = x$alpha,
                  alternative = if (x$alt == "two.sided") "two-sided" else "one-sided"),
    expected = list(power = pwr.t2n.test(n1 = x$n1, n2 = x$n2, d = x$d,
                                         sig.level = x$alpha,
                                         alternative = x$alt)$power),
    tolerance = list(rtol = 1e-8, reason = "pt with ncp")
  ))
}

si <- Sys.info()
provenance <- list(
  note = "generated - do not edit",
  script = "tests/reference/generate/sampling.R",
  command = "Rscript tests/reference/generate/sampling.R",
  command_line = paste(commandArgs(trailingOnly = FALSE), collapse = " "),
  r_version = R.version.string,
  pwr_version = as.character(packageVersion("pwr")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  os = list(sysname = unname(si["sysname"]), release = unname(si["release"]),
            version = unname(si["version"]), machine = unname(si["machine"])),
  date = format(Sys.time(), "%Y-%m-%dT%H:%M:%S%z"),
  seed = NULL,
  conventions = list(
    nps = "V = p+ + p- - (p+ - p-)^2; margins and differences in NPS points",
    nps_difference = "pwr.norm.test(d = (delta/100)/sqrt(2V), n per group)",
    share_difference = "power.prop.test(strict = TRUE): pooled H0 variance, both tails",
    mean_difference = "power.t.test(strict = TRUE), pwr.t2n.test: noncentral t, n1 + n2 - 2 df",
    one_sided = "R 'one.sided'/'greater' = cxmetrics alternative 'one-sided'"
  )
)

dir.create(dirname(out_path), showWarnings = FALSE, recursive = TRUE)
write_json(list(`_provenance` = provenance, cases = cases), out_path,
           digits = NA, auto_unbox = TRUE, pretty = TRUE, null = "null", na = "null")
cat("wrote", length(cases), "cases to", out_path, "\n")

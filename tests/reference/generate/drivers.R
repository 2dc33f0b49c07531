#!/usr/bin/env Rscript
# -----------------------------------------------------------------------------
# Reference fixtures for cxmetrics driver analysis (relative importance).
#
# Run from the repository root:
#     Rscript tests/reference/generate/drivers.R
# Output:
#     tests/reference/data/drivers.json   (generated - do not edit)
#
# relaimpo is not available as a Debian package here, so every relative-importance
# measure is computed by brute force in base R, as Groemping (2006, JSS 17(1))
# defines them: the R^2 of all 2^p sub-models from lm() (with weights = for the
# weighted case), LMG as the average over all orders of the R^2 gains (Shapley
# formula over subsets), first = r^2, last = R^2 - R^2 without the driver,
# betasq = beta^2, pratt = beta * r. Johnson's relative weights follow Johnson
# (2000) with eigen(); logistic relative weights follow the steps of the `rwa`
# package's rwa_logit() (Tonidandel & LeBreton 2010). Coefficient SEs come from
# lm() and survey::svyglm(). Values are written with digits = NA.
#
# Data: R's `swiss` and `mtcars` (datasets package) and the bundled example
# survey (src/cxmetrics/datasets/example_survey.csv), complete cases.
# -----------------------------------------------------------------------------

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})

all_args <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", all_args[grep("^--file=", all_args)])
script_dir <- if (length(file_arg) == 1) dirname(normalizePath(file_arg)) else
  normalizePath("tests/reference/generate")
repo <- normalizePath(file.path(script_dir, "..", "..", ".."))
out_path <- file.path(repo, "tests", "reference", "data", "drivers.json")
survey_csv <- file.path(repo, "src", "cxmetrics", "datasets", "example_survey.csv")

num <- function(x) { x <- as.numeric(unclass(x)); x[!is.finite(x)] <- NA; x }

# ---- all-subsets R^2 with lm() (bit j of the mask = driver j) ------------------
subset_r2 <- function(d, y, xs, w = NULL) {
  p <- length(xs)
  out <- numeric(2^p)
  for (mask in 1:(2^p - 1)) {
    cols <- xs[bitwAnd(mask, 2^(0:(p - 1))) > 0]
    f <- as.formula(paste(y, "~", paste(cols, collapse = " + ")))
    fit <- if (is.null(w)) lm(f, data = d) else lm(f, data = d, weights = d[[w]])
    out[mask + 1] <- summary(fit)$r.squared
  }
  out
}

# LMG (Shapley) from the subset table: average gain over all orders
lmg_from_subsets <- function(r2, p) {
  phi <- numeric(p)
  for (j in 0:(p - 1)) {
    for (mask in 0:(2^p - 1)) {
      if (bitwAnd(mask, 2^j) > 0) next
      s <- sum(bitwAnd(mask, 2^(0:(p - 1))) > 0)
      wgt <- factorial(s) * factorial(p - s - 1) / factorial(p)
      phi[j + 1] <- phi[j + 1] + wgt * (r2[mask + 2^j + 1] - r2[mask + 1])
    }
  }
  phi
}

wcor <- function(d, cols, w = NULL) {
  m <- as.matrix(d[, cols])
  if (is.null(w)) cor(m) else cov.wt(m, wt = d[[w]], cor = TRUE)$cor
}

# Johnson (2000) relative weights from the correlation matrix
johnson <- function(R) {
  rxx <- R[-1, -1]; rxy <- R[-1, 1]
  e <- eigen(rxx, symmetric = TRUE)
  half <- e$vectors %*% diag(sqrt(e$values)) %*% t(e$vectors)
  beta_z <- solve(half, rxy)
  as.numeric((half^2) %*% beta_z^2)
}

linear_case <- function(name, d, y, xs, w = NULL, note = "", inline = FALSE) {
  p <- length(xs)
  d <- d[complete.cases(d[, c(y, xs, w)]), ]
  r2 <- subset_r2(d, y, xs, w)
  R <- wcor(d, c(y, xs), w)
  beta <- as.numeric(solve(R[-1, -1], R[-1, 1]))
  full <- r2[2^p]
  last <- sapply(0:(p - 1), function(j) full - r2[2^p - 2^j])
  f <- as.formula(paste(y, "~", paste(xs, collapse = " + ")))
  fit <- if (is.null(w)) lm(f, data = d) else lm(f, data = d, weights = d[[w]])
  expected <- list(
    n = nrow(d),
    r2 = full,
    subset_r2 = r2,
    shapley = lmg_from_subsets(r2, p),
    correlation = R[-1, 1]^2,
    last = last,
    betasq = beta^2,
    pratt = beta * R[-1, 1],
    beta = beta,
    relative_weights = johnson(R),
    coefficients = num(coef(fit)),
    std_error_model = num(summary(fit)$coefficients[, 2])
  )
  des <- if (is.null(w)) suppressWarnings(svydesign(ids = ~1, data = d)) else
    svydesign(ids = ~1, weights = as.formula(paste0("~", w)), data = d)
  sfit <- svyglm(f, design = des)
  expected$svyglm_coefficients <- num(coef(sfit))
  expected$svyglm_std_error <- num(SE(sfit))
  expected$svyglm_df <- num(sfit$df.residual)
  stopifnot(isTRUE(all.equal(sum(expected$shapley), full, tolerance = 1e-12)))
  stopifnot(isTRUE(all.equal(sum(expected$relative_weights), full, tolerance = 1e-12)))
  data <- if (inline) as.list(d[, c(y, xs)]) else NULL
  list(name = name, kind = "linear", outcome = y, drivers = xs, weights = w,
       note = note, data = data, expected = expected)
}

# ---- logistic -------------------------------------------------------------------
wloglik <- function(fit, y, w) {
  mu <- fitted(fit)
  sum(w * (y * log(mu) + (1 - y) * log(1 - mu)))
}

mcfadden_subsets <- function(d, y, xs, w) {
  p <- length(xs)
  wt <- if (is.null(w)) rep(1, nrow(d)) else d[[w]]
  yy <- d[[y]]
  pbar <- sum(wt * yy) / sum(wt)
  ll0 <- sum(wt) * (pbar * log(pbar) + (1 - pbar) * log(1 - pbar))
  out <- numeric(2^p)
  for (mask in 1:(2^p - 1)) {
    cols <- xs[bitwAnd(mask, 2^(0:(p - 1))) > 0]
    f <- as.formula(paste(y, "~", paste(cols, collapse = " + ")))
    fit <- suppressWarnings(glm(f, family = quasibinomial(), data = d, weights = wt,
                                control = glm.control(epsilon = 1e-14, maxit = 100)))
    out[mask + 1] <- 1 - wloglik(fit, yy, wt) / ll0
  }
  out
}

# rwa_logit() of the `rwa` package, step by step (unweighted)
rwa_logit_steps <- function(d, y, xs) {
  X <- scale(as.matrix(d[, xs]))
  Y <- d[[y]]
  s <- svd(X)
  Z <- s$u %*% t(s$v)
  Z.stand <- scale(Z)
  Lambda <- solve(t(Z.stand) %*% Z.stand) %*% t(Z.stand) %*% X
  fit <- glm(Y ~ Z.stand, family = binomial,
             control = glm.control(epsilon = 1e-14, maxit = 100))
  b <- coef(fit)[-1]
  pr <- fitted(fit)
  lYhat <- log(pr / (1 - pr))
  Rsq <- summary(lm(pr ~ Y))$r.squared
  beta <- b * sqrt(Rsq) / sd(lYhat)
  as.numeric(Lambda^2 %*% beta^2)
}

# The same, weighted (weighted moments with divisor sum(w))
tl_weighted <- function(d, y, xs, w) {
  wt <- d[[w]]; W <- sum(wt)
  X <- as.matrix(d[, xs]); Y <- d[[y]]
  m <- colSums(X * wt) / W
  sdv <- sqrt(colSums(sweep(X, 2, m)^2 * wt) / W)
  Xs <- sweep(sweep(X, 2, m), 2, sdv, "/")
  Rxx <- crossprod(Xs * sqrt(wt)) / W
  e <- eigen(Rxx, symmetric = TRUE)
  half <- e$vectors %*% diag(sqrt(e$values)) %*% t(e$vectors)
  Z <- Xs %*% solve(half)
  fit <- suppressWarnings(glm(Y ~ Z, family = quasibinomial(), weights = wt,
                              control = glm.control(epsilon = 1e-14, maxit = 100)))
  eta <- fit$linear.predictors; mu <- fitted(fit)
  s_eta <- sqrt(sum(wt * (eta - sum(wt * eta) / W)^2) / W)
  rfit <- cov.wt(cbind(mu, Y), wt = wt, cor = TRUE)$cor[1, 2]
  beta <- coef(fit)[-1] * rfit / s_eta
  as.numeric((half^2) %*% beta^2)
}

logistic_case <- function(name, d, y, xs, w = NULL, note = "") {
  p <- length(xs)
  d <- d[complete.cases(d[, c(y, xs, w)]), ]
  r2 <- mcfadden_subsets(d, y, xs, w)
  wt <- if (is.null(w)) rep(1, nrow(d)) else d[[w]]
  f <- as.formula(paste(y, "~", paste(xs, collapse = " + ")))
  fit <- suppressWarnings(glm(f, family = quasibinomial(), data = d, weights = wt,
                              control = glm.control(epsilon = 1e-14, maxit = 100)))
  des <- if (is.null(w)) suppressWarnings(svydesign(ids = ~1, data = d)) else
    svydesign(ids = ~1, weights = as.formula(paste0("~", w)), data = d)
  sfit <- svyglm(f, design = des, family = quasibinomial(),
                 control = glm.control(epsilon = 1e-14, maxit = 100))
  expected <- list(
    n = nrow(d),
    mcfadden = r2[2^p],
    subset_mcfadden = r2,
    shapley = lmg_from_subsets(r2, p),
    relative_weights = if (is.null(w)) rwa_logit_steps(d, y, xs) else
      tl_weighted(d, y, xs, w),
    coefficients = num(coef(fit)),
    svyglm_coefficients = num(coef(sfit)),
    svyglm_std_error = num(SE(sfit))
  )
  list(name = name, kind = "logistic", outcome = y, drivers = xs, weights = w,
       note = note, expected = expected)
}

# =============================================================================
cases <- list()
add <- function(x) cases[[length(cases) + 1]] <<- x

sw <- swiss
add(linear_case("swiss_fertility", sw, "Fertility",
                c("Agriculture", "Examination", "Education", "Catholic",
                  "Infant.Mortality"),
                note = "Groemping (2006) JSS 17(1): calc.relimp(Fertility ~ ., swiss)",
                inline = TRUE))

mt <- mtcars
add(linear_case("mtcars_mpg", mt, "mpg", c("cyl", "disp", "hp", "wt"),
                note = "rwa package vignette: rwa_multiregress(mtcars, 'mpg', c('cyl','disp','hp','wt'))",
                inline = TRUE))

survey_df <- read.csv(survey_csv)
xs <- c("exp_product", "exp_service", "exp_relationship", "exp_price",
        "exp_convenience", "exp_brand_image")
add(linear_case("survey_satisfaction_weighted", survey_df, "satisfaction", xs,
                w = "weight", note = "bundled example survey, complete cases"))
add(linear_case("survey_satisfaction_unweighted", survey_df, "satisfaction", xs,
                note = "bundled example survey, complete cases"))

survey_df$promoter <- as.numeric(survey_df$nps >= 9)
add(logistic_case("survey_promoter_weighted", survey_df, "promoter", xs,
                  w = "weight", note = "promoter = nps >= 9; rows with nps missing dropped"))
add(logistic_case("survey_promoter_unweighted", survey_df, "promoter",
                  c("exp_service", "exp_price", "exp_convenience", "exp_brand_image"),
                  note = "rwa_logit() steps (unweighted)"))

# the published rwa output on mtcars (vignette "regression-methods", 7 digits)
published <- list(
  source = "rwa package vignette 'Regression Methods: Multiple and Logistic RWA' (martinctc.github.io/rwa), rwa_multiregress(mtcars, 'mpg', c('cyl','disp','hp','wt'))$result",
  drivers = c("cyl", "disp", "hp", "wt"),
  raw_relweight = c(0.2096904, 0.1883043, 0.1799590, 0.2706812),
  rsquare = 0.8486,
  tolerance = list(atol = 5e-8, reason = "printed to 7 decimals")
)

si <- Sys.info()
provenance <- list(
  note = "generated - do not edit",
  script = "tests/reference/generate/drivers.R",
  command = "Rscript tests/reference/generate/drivers.R",
  command_line = paste(commandArgs(trailingOnly = FALSE), collapse = " "),
  r_version = R.version.string,
  survey_version = as.character(packageVersion("survey")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  relaimpo = "not installed (no Debian package); brute-force base-R all-subsets lm()",
  os = list(sysname = unname(si["sysname"]), release = unname(si["release"]),
            machine = unname(si["machine"])),
  date = format(Sys.time(), "%Y-%m-%dT%H:%M:%S%z"),
  seed = NA,
  data = list(swiss = "datasets::swiss", mtcars = "datasets::mtcars",
              survey = "src/cxmetrics/datasets/example_survey.csv"),
  conventions = list(
    subset_r2 = "bit j of the (0-based) index = driver j; entry 0 = no driver",
    weights = "lm(weights = w) and cov.wt(wt = w): sampling weights enter as in relaimpo",
    svyglm = "svydesign(ids = ~1, weights = ~w); SE = linearisation (sandwich with n/(n-1))",
    mcfadden = "1 - sum w*loglik(model) / sum w*loglik(intercept only), glm quasibinomial",
    logistic_relative_weights = "unweighted: rwa_logit() steps; weighted: same formula with divisor sum(w)"
  )
)

dir.create(dirname(out_path), showWarnings = FALSE, recursive = TRUE)
write_json(list(`_provenance` = provenance, published_rwa_mtcars = published,
                cases = cases),
           out_path, digits = NA, auto_unbox = TRUE, pretty = TRUE, null = "null",
           na = "null")
cat("wrote", length(cases), "cases to", out_path, "\n")

#!/usr/bin/env Rscript
# -----------------------------------------------------------------------------
# Reference fixtures for cxmetrics weighting and period comparisons (R `survey`).
#
# Run from the repository root:
#     Rscript tests/reference/generate/weighting.R
# Output:
#     tests/reference/data/weighting.json   (generated - do not edit)
#
# Every dataset is simulated inline (fixed seeds); numbers are written at full
# precision with jsonlite::write_json(digits = NA), never from print().
#
# Conventions (tests/reference/README.md):
#   * NPS code z = (score >= 9) - (score <= 6); NPS = 100 * svymean(~z).
#   * Missing scores: svymean(..., na.rm = TRUE). On a calibrated design the
#     rows stay in the design with weight 0 (survey's `[` for calibrated
#     designs), so they still enter the calibration residual.
#   * rake():      rake(des, list(~a, ~b, ~c), list(popA, popB, popC),
#                       control = list(maxit = 1000, epsilon = 1e-14))
#     (epsilon < 1 is relative to the total weight; converged to ~1e-12).
#   * calibrate(): calibrate(des, list(~a, ~b, ~c), list(popA, popB, popC),
#                            calfun = "raking", epsilon = 1e-14, maxit = 200)
#   * postStratify(): postStratify(des, ~a + b, popAB)
#   * The three give the same weights (rake/calibrate) but different
#     linearisations (svyrecvar: "raking" backfitting vs "greg_calibration").
#   * Independent waves: svydesign(ids = ~1, strata = ~period, weights = ~w0).
# -----------------------------------------------------------------------------

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})

BASE_SEED <- 20260301L
options(survey.lonely.psu = "fail")

all_args <- commandArgs(trailingOnly = FALSE)
file_arg <- sub("^--file=", "", all_args[grep("^--file=", all_args)])
script_dir <- if (length(file_arg) == 1) dirname(normalizePath(file_arg)) else
  normalizePath("tests/reference/generate")
out_path <- file.path(normalizePath(file.path(script_dir, "..")), "data",
                      "weighting.json")

num <- function(x) {
  x <- as.numeric(unclass(x))
  x[!is.finite(x)] <- NA
  x
}
agree <- function(a, b, what, tol = 1e-9) {
  a <- as.numeric(a); b <- as.numeric(b)
  if (!isTRUE(all.equal(a, b, tolerance = tol)))
    stop("cross-check failed: ", what, ": ", paste(head(a), collapse = ","), " vs ",
         paste(head(b), collapse = ","))
}
draw <- function(n, values, prob) as.integer(sample(values, n, replace = TRUE, prob = prob))
NPS_P <- c(3, 1, 1, 2, 2, 5, 6, 10, 14, 16, 12)

# ---- estimates on a design ----------------------------------------------------
# Domain means with their full covariance as ratios sum(w y 1[g]) / sum(w 1[g])
# (svyratio(covmat = TRUE)): svyby(na.rm = TRUE, covmat = TRUE) fails on a
# calibrated design with missing values in survey 4.1.1. The linearisation is the
# same (checked against svymean on each subset).
domain_means <- function(des, yvar, by, mult) {
  v <- des$variables
  ok <- !is.na(v[[yvar]])
  levs <- sort(unique(v[[by]]))
  for (k in seq_along(levs)) {
    ind <- as.numeric(ok & v[[by]] == levs[k])
    v[[paste0(".n", k)]] <- ifelse(ok, v[[yvar]], 0) * ind
    v[[paste0(".d", k)]] <- ind
  }
  des$variables <- v
  K <- length(levs)
  r <- svyratio(as.formula(paste("~", paste0(".n", 1:K, collapse = "+"))),
                as.formula(paste("~", paste0(".d", 1:K, collapse = "+"))),
                des, covmat = TRUE)
  pick <- (0:(K - 1)) * K + 1:K        # numerator k over denominator k
  est <- coef(r)[pick]
  cov <- vcov(r)[pick, pick]
  for (k in seq_along(levs)) {
    sub <- svymean(as.formula(paste0("~", yvar)),
                   subset(des, v[[by]] == levs[k]), na.rm = TRUE)
    agree(coef(sub), est[k], paste("domain mean", yvar, levs[k]))
    agree(SE(sub), sqrt(cov[k, k]), paste("domain SE", yvar, levs[k]), 1e-8)
  }
  list(group = as.character(levs), estimate = num(mult * est),
       std_error = num(mult * sqrt(diag(cov))),
       covariance = unname(lapply(seq_len(K), function(i) num(mult^2 * cov[i, ]))))
}

# z (NPS code), top (csat in 4:5) and csat; overall and by g.
estimates <- function(des, by = "g") {
  z <- svymean(~z, des, na.rm = TRUE)
  m <- svymean(~csat, des, na.rm = TRUE)
  t <- svymean(~top, des, na.rm = TRUE)
  list(
    nps = list(estimate = num(100 * coef(z)), std_error = num(100 * SE(z))),
    mean = list(estimate = num(coef(m)), std_error = num(SE(m))),
    top_box = list(estimate = num(coef(t)), std_error = num(SE(t))),
    nps_by = domain_means(des, "z", by, 100),
    mean_by = domain_means(des, "csat", by, 1)
  )
}

# fixed-weights SEs: the final weights in a plain (uncalibrated) design
fixed <- function(d, w, strata = NULL) {
  d$wf <- w
  des <- if (is.null(strata)) svydesign(ids = ~1, weights = ~wf, data = d) else
    svydesign(ids = ~1, strata = as.formula(paste0("~", strata)), weights = ~wf, data = d)
  z <- svymean(~z, des, na.rm = TRUE)
  bz <- domain_means(des, "z", "g", 100)
  list(nps = list(estimate = num(100 * coef(z)), std_error = num(100 * SE(z))),
       nps_by = list(group = bz$group, std_error = bz$std_error))
}

# ---- calibration dataset ------------------------------------------------------
simulate_cal <- function(seed, n, stratified = FALSE, unit_weights = FALSE) {
  set.seed(seed)
  d <- data.frame(
    a = sample(c("a1", "a2", "a3"), n, TRUE, c(0.5, 0.3, 0.2)),
    b = sample(c("b1", "b2", "b3", "b4"), n, TRUE, c(0.4, 0.3, 0.2, 0.1)),
    c = sample(c("c1", "c2"), n, TRUE, c(0.6, 0.4)),
    g = sample(c("g1", "g2", "g3"), n, TRUE, c(0.45, 0.35, 0.2)),
    stringsAsFactors = FALSE)
  if (stratified) d$s <- sample(c("s1", "s2"), n, TRUE, c(0.6, 0.4))
  # score depends on the margins, so calibration reduces the variance
  shift <- c(a1 = 0, a2 = 1, a3 = -2)[d$a] + c(b1 = 0, b2 = 1, b3 = 1, b4 = -1)[d$b]
  base <- draw(n, 0:10, NPS_P)
  d$score <- pmin(pmax(base + shift, 0L), 10L)
  d$csat <- pmin(pmax(round(1 + d$score * 0.4 + rnorm(n, 0, 0.7)), 1), 5)
  d$score[sample.int(n, 12)] <- NA          # missing answers
  d$csat[sample.int(n, 8)] <- NA
  d$w0 <- if (unit_weights) rep(1, n) else
    round(rlnorm(n, 0, 0.4) * (1 + 0.5 * (d$c == "c2")), 6)
  d$z <- as.numeric(d$score >= 9) - as.numeric(d$score <= 6)
  d$top <- as.numeric(d$csat >= 4)
  rownames(d) <- NULL
  d
}
margin_df <- function(var, levels, freq) {
  out <- data.frame(levels, freq, stringsAsFactors = FALSE)
  names(out) <- c(var, "Freq")
  out
}
data_block <- function(d) {
  cols <- intersect(c("a", "b", "c", "g", "s", "period", "segment", "region",
                      "score", "csat", "w0"), names(d))
  lapply(d[cols], function(x) if (is.numeric(x)) num(x) else x)
}

cases <- list()
case_seeds <- list()
add <- function(case, seed) {
  cases[[length(cases) + 1]] <<- case
  case_seeds[[case$name]] <<- seed
}

POP_A <- margin_df("a", c("a1", "a2", "a3"), c(4200, 3300, 2500))
POP_B <- margin_df("b", c("b1", "b2", "b3", "b4"), c(3000, 3500, 2000, 1500))
POP_C <- margin_df("c", c("c1", "c2"), c(5500, 4500))
margins_json <- list(a = setNames(as.list(POP_A$Freq), POP_A$a),
                     b = setNames(as.list(POP_B$Freq), POP_B$b),
                     c = setNames(as.list(POP_C$Freq), POP_C$c))

calibration_cases <- function(prefix, seed, stratified, unit_weights) {
  d <- simulate_cal(seed, 480, stratified, unit_weights)
  des <- if (stratified) svydesign(ids = ~1, strata = ~s, weights = ~w0, data = d) else
    svydesign(ids = ~1, weights = ~w0, data = d)
  strata <- if (stratified) "s" else NULL
  rk <- rake(des, list(~a, ~b, ~c), list(POP_A, POP_B, POP_C),
             control = list(maxit = 1000, epsilon = 1e-14))
  cal <- calibrate(des, list(~a, ~b, ~c), list(POP_A, POP_B, POP_C),
                   calfun = "raking", epsilon = 1e-14, maxit = 200)
  agree(weights(rk), weights(cal), paste(prefix, "rake == calibrate weights"), 1e-10)
  agree(svytable(~a, rk), POP_A$Freq, paste(prefix, "rake margin a"), 1e-12)
  popAB <- as.data.frame(xtabs(~a + b, d))
  popAB$Freq <- round(10000 * popAB$Freq / sum(popAB$Freq) * 
                      c(1.1, 0.9, 1.0, 1.2, 0.8, 1.0, 0.9, 1.1, 1.0, 1.0, 1.05, 0.95))
  ps <- postStratify(des, ~a + b, popAB)
  base <- list(data = data_block(d),
               options = list(margins = margins_json,
                              population_ab = list(a = popAB$a, b = popAB$b,
                                                   target = num(popAB$Freq)),
                              strata = if (stratified) "s" else NULL,
                              base_weights = "w0"))
  add(c(list(name = paste0(prefix, "_rake"), kind = "calibration",
             method = "rake"), base,
        list(expected = c(list(weights = num(weights(rk))), estimates(rk),
                          list(fixed = fixed(d, weights(rk), strata))))), seed)
  add(c(list(name = paste0(prefix, "_calibrate"), kind = "calibration",
             method = "calibrate"), base,
        list(expected = c(list(weights = num(weights(cal))), estimates(cal),
                          list(fixed = fixed(d, weights(cal), strata))))), seed)
  add(c(list(name = paste0(prefix, "_poststratify"), kind = "calibration",
             method = "poststratify"), base,
        list(expected = c(list(weights = num(weights(ps))), estimates(ps),
                          list(fixed = fixed(d, weights(ps), strata))))), seed)
}

s <- BASE_SEED + 1L
calibration_cases("weighted", s, FALSE, FALSE)
s <- BASE_SEED + 2L
calibration_cases("stratified", s, TRUE, FALSE)
s <- BASE_SEED + 3L
calibration_cases("unit_weights", s, FALSE, TRUE)

# ---- trimWeights ----------------------------------------------------------------
s <- BASE_SEED + 4L
set.seed(s)
dt <- data.frame(score = draw(300, 0:10, NPS_P), g = "g1",
                 w0 = round(rlnorm(300, 0, 0.7), 6))
dt$z <- as.numeric(dt$score >= 9) - as.numeric(dt$score <= 6)
dest <- svydesign(ids = ~1, weights = ~w0, data = dt)
upper <- 3 * mean(dt$w0)
tw <- trimWeights(dest, upper = upper, strict = TRUE)
add(list(name = "trim_upper", kind = "trim",
         data = list(score = num(dt$score), w0 = num(dt$w0)),
         options = list(upper = upper),
         expected = list(weights = num(weights(tw)))), s)

# ---- period comparisons -------------------------------------------------------------
simulate_periods <- function(seed, per_period) {
  set.seed(seed)
  periods <- c("P1", "P2", "P3", "P4")
  mix <- list(c(0.5, 0.3, 0.2), c(0.45, 0.32, 0.23), c(0.4, 0.35, 0.25),
              c(0.35, 0.37, 0.28))
  out <- lapply(seq_along(periods), function(t) {
    n <- per_period[t]
    seg <- sample(c("mass", "affluent", "private"), n, TRUE, mix[[t]])
    region <- sample(c("north", "south"), n, TRUE, c(0.55, 0.45))
    shift <- c(mass = -1, affluent = 0, private = 1)[seg] +
      (if (t >= 3) -1.5 * (seg == "mass") else 0)
    score <- pmin(pmax(round(draw(n, 0:10, NPS_P) + shift), 0), 10)
    csat <- pmin(pmax(round(1 + score * 0.4 + rnorm(n, 0, 0.7)), 1), 5)
    data.frame(period = periods[t], segment = seg, region = region,
               score = as.integer(score), csat = csat,
               w0 = round(rlnorm(n, 0, 0.35), 6), stringsAsFactors = FALSE)
  })
  d <- do.call(rbind, out)
  d$score[sample.int(nrow(d), 10)] <- NA
  d$z <- as.numeric(d$score >= 9) - as.numeric(d$score <= 6)
  d$top <- as.numeric(d$csat >= 4)
  d$g <- d$segment
  rownames(d) <- NULL
  d
}

contrast_list <- function(labels, baseline) {
  k <- length(labels)
  out <- list()
  for (i in seq_len(k)) {
    j <- if (baseline == "previous") i - 1 else 1
    if (i == 1 || j < 1) next
    v <- setNames(rep(0, k), labels)
    v[i] <- 1; v[j] <- -1
    out[[paste0(labels[i], "-", labels[j])]] <- v
  }
  out
}

period_estimates <- function(des, yvar, mult, by_segment = FALSE) {
  if (by_segment) des$variables$.cell <- paste(des$variables$segment,
                                                des$variables$period, sep = ".")
  dm <- domain_means(des, yvar, if (by_segment) ".cell" else "period", mult)
  labels <- dm$group
  cov <- do.call(rbind, dm$covariance)
  segs <- if (by_segment) sub("\\..*$", "", labels) else rep("", length(labels))
  res <- list(label = labels, estimate = dm$estimate, std_error = dm$std_error)
  for (baseline in c("previous", "first")) {
    cons <- list()
    for (sg in unique(segs)) {
      idx <- which(segs == sg)
      sub <- contrast_list(labels[idx], baseline)
      for (nm in names(sub)) {
        v <- setNames(rep(0, length(labels)), labels)
        v[names(sub[[nm]])] <- sub[[nm]]
        cons[[nm]] <- v
      }
    }
    cm <- do.call(rbind, cons)
    res[[baseline]] <- list(contrast = names(cons),
                            estimate = num(cm %*% dm$estimate),
                            std_error = num(sqrt(diag(cm %*% cov %*% t(cm)))))
  }
  res
}

s <- BASE_SEED + 11L
dp <- simulate_periods(s, c(160, 150, 170, 155))
desp <- svydesign(ids = ~1, strata = ~period, weights = ~w0, data = dp)
add(list(name = "periods_independent", kind = "periods", data = data_block(dp),
         options = list(base_weights = "w0"),
         expected = list(nps = period_estimates(desp, "z", 100),
                         mean = period_estimates(desp, "csat", 1),
                         top_box = period_estimates(desp, "top", 1),
                         nps_by_segment = period_estimates(desp, "z", 100, TRUE))), s)

# domains of one sample (not independent waves)
desd <- svydesign(ids = ~1, weights = ~w0, data = dp)
add(list(name = "periods_domains", kind = "periods", data = data_block(dp),
         options = list(base_weights = "w0", independent = FALSE),
         expected = list(nps = period_estimates(desd, "z", 100))), s)

# raked per period: margins period x segment and period x region (counts)
pop_ps <- expand.grid(segment = c("mass", "affluent", "private"),
                      period = c("P1", "P2", "P3", "P4"), stringsAsFactors = FALSE)
pop_ps$Freq <- c(500, 300, 200, 470, 320, 210, 440, 340, 220, 410, 360, 230)
pop_pr <- expand.grid(region = c("north", "south"), period = c("P1", "P2", "P3", "P4"),
                      stringsAsFactors = FALSE)
pop_pr$Freq <- c(560, 440, 550, 450, 540, 460, 530, 470)
pop_ps <- pop_ps[, c("period", "segment", "Freq")]
pop_pr <- pop_pr[, c("period", "region", "Freq")]
rkp <- rake(desp, list(~period + segment, ~period + region), list(pop_ps, pop_pr),
            control = list(maxit = 1000, epsilon = 1e-14))
calp <- calibrate(desp, list(~period + segment, ~period + region),
                  list(pop_ps, pop_pr), calfun = "raking", epsilon = 1e-14, maxit = 200)
agree(weights(rkp), weights(calp), "periods rake == calibrate", 1e-10)
period_margins <- list(
  period_segment = list(period = pop_ps$period, segment = pop_ps$segment,
                        target = num(pop_ps$Freq)),
  period_region = list(period = pop_pr$period, region = pop_pr$region,
                       target = num(pop_pr$Freq)))
add(list(name = "periods_raked", kind = "periods", method = "rake",
         data = data_block(dp),
         options = list(base_weights = "w0", margins = period_margins),
         expected = list(weights = num(weights(rkp)),
                         nps = period_estimates(rkp, "z", 100),
                         mean = period_estimates(rkp, "csat", 1))), s)
add(list(name = "periods_calibrated", kind = "periods", method = "calibrate",
         data = data_block(dp),
         options = list(base_weights = "w0", margins = period_margins),
         expected = list(weights = num(weights(calp)),
                         nps = period_estimates(calp, "z", 100))), s)

# ---- direct standardization (svystandardize) --------------------------------------
# standard mix: the first period's weighted segment shares, as fixed numbers
p1 <- svymean(~segment, subset(desp, period == "P1"))
std_mix <- setNames(num(coef(p1)), sub("^segment", "", names(coef(p1))))
lev <- sort(unique(dp$segment))                     # svytable order of `by`
sdes <- svystandardize(subset(desp, !is.na(score)), by = ~segment, over = ~period,
                       population = std_mix[lev])
sb <- domain_means(sdes, "z", "period", 100)
# hand calculation: sum_s P_s * ybar_ts
hand <- sapply(sb$group, function(p) {
  r <- svyby(~z, ~segment, subset(desp, period == p & !is.na(score)), svymean)
  sum(std_mix[as.character(r$segment)] * coef(r))
})
agree(sb$estimate, 100 * hand, "svystandardize == hand")
cm <- do.call(rbind, contrast_list(sb$group, "first"))
cov <- do.call(rbind, sb$covariance)
add(list(name = "standardize_first", kind = "standardize", data = data_block(dp),
         options = list(base_weights = "w0", mix = "segment",
                        standard = as.list(std_mix)),
         expected = list(period = sb$group, estimate = sb$estimate,
                         std_error = sb$std_error,
                         change = list(contrast = rownames(cm),
                                       estimate = num(cm %*% sb$estimate),
                                       std_error = num(sqrt(diag(cm %*% cov %*% t(cm))))))), s)

# ---- Kitagawa and Das Gupta decompositions: delta method on svytotal ---------------
# totals W_ts and Y_ts as indicator columns; svycontrast with expressions
decomposition_case <- function(name, d, des, factors, pa, pb) {
  # rows with a missing score stay in the design with zero totals (as na.rm)
  dd <- d
  ok <- !is.na(dd$score)
  cell <- do.call(paste, c(dd[factors], sep = "|"))
  cells <- sort(unique(cell[ok & dd$period %in% c(pa, pb)]))
  for (t in c("A", "B")) for (k in seq_along(cells)) {
    p <- if (t == "A") pa else pb
    ind <- as.numeric(ok & dd$period == p & cell == cells[k])
    dd[[paste0("W", t, k)]] <- ind
    dd[[paste0("Y", t, k)]] <- ind * ifelse(ok, dd$z, 0)
  }
  desn <- svydesign(ids = ~1, strata = ~period, weights = ~w0, data = dd)
  vars <- c(paste0("W", rep(c("A", "B"), each = length(cells)), seq_along(cells)),
            paste0("Y", rep(c("A", "B"), each = length(cells)), seq_along(cells)))
  tot <- svytotal(as.formula(paste("~", paste(vars, collapse = "+"))), desn)
  K <- length(cells)
  WA <- paste0("(", paste0("WA", 1:K, collapse = "+"), ")")
  WB <- paste0("(", paste0("WB", 1:K, collapse = "+"), ")")
  pA <- function(k) paste0("(WA", k, "/", WA, ")")
  pB <- function(k) paste0("(WB", k, "/", WB, ")")
  rA <- function(k) paste0("(YA", k, "/WA", k, ")")
  rB <- function(k) paste0("(YB", k, "/WB", k, ")")
  exprs <- list()
  exprs$total <- paste0("(", paste0("YB", 1:K, collapse = "+"), ")/", WB, "-(",
                        paste0("YA", 1:K, collapse = "+"), ")/", WA)
  if (length(factors) == 1) {
    for (k in 1:K) {
      exprs[[paste0("rate_", k)]] <- paste0("(", pA(k), "+", pB(k), ")/2*(", rB(k), "-", rA(k), ")")
      exprs[[paste0("mix_", k)]] <- paste0("(", rA(k), "+", rB(k), ")/2*(", pB(k), "-", pA(k), ")")
    }
    exprs$rate <- paste(unlist(exprs[paste0("rate_", 1:K)]), collapse = "+")
    exprs$mix <- paste(unlist(exprs[paste0("mix_", 1:K)]), collapse = "+")
  } else {
    # two factors: p_c = m1 * m2 * lambda, value = m1 * m2 * lambda * r (4 factors)
    f1 <- sapply(strsplit(cells, "|", fixed = TRUE), `[`, 1)
    f2 <- sapply(strsplit(cells, "|", fixed = TRUE), `[`, 2)
    mar <- function(t, f, lev) {
      W <- if (t == "A") WA else WB
      ks <- which((if (f == 1) f1 else f2) == lev)
      paste0("((", paste0("W", t, ks, collapse = "+"), ")/", W, ")")
    }
    fac <- function(t, k) {
      m1 <- mar(t, 1, f1[k]); m2 <- mar(t, 2, f2[k])
      p <- if (t == "A") pA(k) else pB(k)
      r <- if (t == "A") rA(k) else rB(k)
      list(m1, m2, paste0("(", p, "/(", m1, "*", m2, "))"), r)
    }
    names_f <- c("mix_1", "mix_2", "mix_assoc", "rate")
    for (fi in 1:4) {
      terms <- c()
      for (k in 1:K) {
        a <- fac("A", k); b <- fac("B", k)
        others <- setdiff(1:4, fi)
        for (size in 0:3) {
          wgt <- factorial(size) * factorial(4 - size - 1) / factorial(4)
          if (size == 0) subsets <- list(integer(0)) else
            subsets <- combn(others, size, simplify = FALSE)
          for (S in subsets) {
            common <- sapply(others, function(o) if (o %in% S) b[[o]] else a[[o]])
            terms <- c(terms, paste0(wgt, "*", paste(common, collapse = "*"), "*(",
                                     b[[fi]], "-", a[[fi]], ")"))
          }
        }
      }
      exprs[[names_f[fi]]] <- paste(terms, collapse = "+")
    }
  }
  con <- svycontrast(tot, lapply(exprs, function(e) parse(text = e)[[1]]))
  add(list(name = name, kind = "decomposition", data = data_block(d),
           options = list(base_weights = "w0", mix = I(factors), periods = c(pa, pb),
                          cells = cells),
           expected = list(effect = names(exprs), estimate = num(100 * coef(con)),
                           std_error = num(100 * SE(con)))), s)
}
decomposition_case("kitagawa_segment", dp, desp, "segment", "P1", "P4")
decomposition_case("das_gupta_segment_region", dp, desp, c("segment", "region"),
                   "P1", "P4")

# =============================================================================
si <- Sys.info()
provenance <- list(
  note = "generated - do not edit",
  script = "tests/reference/generate/weighting.R",
  command = "Rscript tests/reference/generate/weighting.R",
  command_line = paste(commandArgs(trailingOnly = FALSE), collapse = " "),
  r_version = R.version.string,
  survey_version = as.character(packageVersion("survey")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  os = list(sysname = unname(si["sysname"]), release = unname(si["release"]),
            version = unname(si["version"]), machine = unname(si["machine"])),
  date = format(Sys.time(), "%Y-%m-%dT%H:%M:%S%z"),
  seed = BASE_SEED,
  rng_kind = RNGkind(),
  case_seeds = case_seeds,
  conventions = list(
    nps = "z = (score>=9) - (score<=6); estimate = 100*svymean(~z, na.rm=TRUE)",
    rake = "rake(des, list(~a,~b,~c), pops, control=list(maxit=1000, epsilon=1e-14))",
    calibrate = "calibrate(des, list(~a,~b,~c), pops, calfun='raking', epsilon=1e-14)",
    poststratify = "postStratify(des, ~a+b, popAB)",
    fixed = "svydesign(ids=~1, weights=~final weights) without calibration",
    periods = "svydesign(ids=~1, strata=~period, weights=~w0): independent waves; svyby(covmat=TRUE) + svycontrast",
    standardize = "svystandardize(design, by=~segment, over=~period, population=P1 mix)",
    decomposition = "svytotal of period x cell indicators, svycontrast of the Kitagawa / Das Gupta expressions (delta method)"
  )
)
dir.create(dirname(out_path), showWarnings = FALSE, recursive = TRUE)
write_json(list(`_provenance` = provenance, cases = cases), out_path,
           digits = NA, auto_unbox = TRUE, pretty = TRUE, null = "null", na = "null")
cat("wrote", length(cases), "cases to", out_path, "\n")

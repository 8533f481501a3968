# Windows build: the frozen desk (dist\xianghe-desk\) and its installer
# (dist\xianghe-desk-VERSION-setup.exe). See installer\README.md for what to install first.
#
#   powershell -ExecutionPolicy Bypass -File installer\build.ps1
#   powershell -ExecutionPolicy Bypass -File installer\build.ps1 -Iscc "D:\Tools\Inno Setup 7\ISCC.exe"
#
# Like installer/build.sh it makes its own build venv (build\venv) with PyInstaller and this
# checkout, runs installer\xianghe-desk.spec, and checks the result with --self-test before the
# installer is compiled.
param(
    [string]$Python = "",  # python.exe of Python 3.11 (default: the py launcher's 3.11)
    [string]$Iscc = ""     # ISCC.exe (default: looked up in the usual Inno Setup folders)
)
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
$started = Get-Date

function Invoke-Checked([string]$Exe, [string[]]$Arguments) {
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Exe $($Arguments -join ' ') failed (exit $LASTEXITCODE)" }
}

# --- build venv: PyInstaller and the package from this checkout (not editable) ---------------------
$venvPython = "build\venv\Scripts\python.exe"
if (-not (Test-Path $venvPython)) {
    if ($Python) { Invoke-Checked $Python @("-m", "venv", "build\venv") }
    else { Invoke-Checked "py" @("-3.11", "-m", "venv", "build\venv") }
}
$pyVersion = & $venvPython -c "import sys; print('%d.%d' % sys.version_info[:2])"
if ($pyVersion -ne "3.11") { throw "build\venv has Python $pyVersion; delete build\venv and use Python 3.11" }
Invoke-Checked $venvPython @("-m", "pip", "install", "--quiet", "--upgrade", "pip")
Invoke-Checked $venvPython @("-m", "pip", "install", "--quiet", "-c", "installer\build-constraints.txt", "pyinstaller", ".")

if (Test-Path "dist\xianghe-desk") { Remove-Item -Recurse -Force "dist\xianghe-desk" }
# From build\, so that Python finds the package and its metadata in the venv, not in the checkout.
Push-Location build
try {
    Invoke-Checked "venv\Scripts\python.exe" @("-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
        "--distpath", "..\dist", "--workpath", "pyinstaller", "..\installer\xianghe-desk.spec")
} finally { Pop-Location }

# --- does it run with nothing but itself? (the console twin prints; the desk itself is windowed) ---
$cli = "dist\xianghe-desk\xianghe-desk-cli.exe"
$env:QT_QPA_PLATFORM = "offscreen"
Invoke-Checked $cli @("--self-test")
Remove-Item Env:\QT_QPA_PLATFORM
$version = ((& $cli --version) -split " ")[1]
$numeric = [regex]::Match($version, "^\d+(\.\d+){0,3}").Value

# --- the installer ---------------------------------------------------------------------------------
if (-not $Iscc) {
    $candidates = foreach ($root in @($env:ProgramFiles, ${env:ProgramFiles(x86)}, "$env:LOCALAPPDATA\Programs")) {
        foreach ($name in @("Inno Setup 7", "Inno Setup 6")) { Join-Path $root "$name\ISCC.exe" }
    }
    $Iscc = $candidates | Where-Object { $_ -and (Test-Path $_) } | Select-Object -First 1
    if (-not $Iscc) { throw "ISCC.exe not found: install Inno Setup 7 (installer\README.md) or pass -Iscc" }
}
Invoke-Checked $Iscc @("/DAppVersion=$version", "/DAppNumericVersion=$numeric", "installer\xianghe-desk.iss")

$size = "{0:N0} MB" -f ((Get-ChildItem -Recurse "dist\xianghe-desk" | Measure-Object Length -Sum).Sum / 1MB)
$setup = Get-Item "dist\xianghe-desk-$version-setup.exe"
Write-Host ("build.ps1: dist\xianghe-desk is {0}; {1} is {2:N0} MB; {3:N0} s" -f `
    $size, $setup.Name, ($setup.Length / 1MB), ((Get-Date) - $started).TotalSeconds)

; Windows installer for the desk (Inno Setup 7.0.2 or later; installer/README.md).
;
; Build it with installer\build.ps1, which freezes the desk into dist\xianghe-desk\ first and then
; runs ISCC with /DAppVersion=<the frozen desk's --version>. By hand:
;   ISCC.exe /DAppVersion=0.1.0 installer\xianghe-desk.iss      ->  dist\xianghe-desk-0.1.0-setup.exe
;
; - Per user, without administrator rights: the program goes to %LOCALAPPDATA%\Programs\xianghe-desk,
;   the shortcuts to the user's Start menu and desktop.
; - The clerk's data is never in the program folder: the database, its backups and the log are in
;   platformdirs' user_data_dir (%LOCALAPPDATA%\xianghe\xianghe-desk), the desk's settings in
;   %APPDATA%\xianghe\xianghe-desk.ini. Uninstalling removes only what Setup installed, so both stay.
; - Upgrades install over the previous version in place (fixed AppId); the new desk migrates the
;   database after a verified backup the first time it opens it.
; This file is UTF-8 (Inno Setup 6.3 and later read it without a BOM).

#define AppName "香河「这就办」服务台账"
#define AppExe "xianghe-desk.exe"
#ifndef AppVersion
  #error 请用 installer\build.ps1 构建，或给 ISCC 传入 /DAppVersion=版本号（即 xianghe-desk-cli.exe --version 的版本）
#endif
; Windows file versions are numbers only: build.ps1 passes 0.2.0 for 0.2.0rc1.
#ifndef AppNumericVersion
  #define AppNumericVersion AppVersion
#endif

; Simplified Chinese messages: official and shipped with Inno Setup since 7.0.2. For an older
; compiler, put the unofficial translation (Files/Languages/Unofficial/ChineseSimplified.isl in
; Inno Setup's source repository, linked from its "Inno Setup Translations" page) next to this file
; as installer\windows\ChineseSimplified.isl.
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
  #define ChineseMessages "compiler:Languages\ChineseSimplified.isl"
#elif FileExists(AddBackslash(SourcePath) + "windows\ChineseSimplified.isl")
  #define ChineseMessages AddBackslash(SourcePath) + "windows\ChineseSimplified.isl"
#else
  #error 找不到 ChineseSimplified.isl：请用 Inno Setup 7.0.2 或更新版本，或按 installer\README.md 放入该文件
#endif

[Setup]
; Never change AppId: Setup recognises an installed copy by it, upgrades it in place and keeps
; one entry in 「应用和功能」. (The doubled brace is Inno Setup's escape for "{".)
AppId={{DF06E26A-612C-41EC-86C1-C139182219C5}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=香河县
VersionInfoVersion={#AppNumericVersion}
VersionInfoProductName={#AppName}
VersionInfoDescription={#AppName} 安装程序
; No administrator rights: {autopf} is %LOCALAPPDATA%\Programs, {autoprograms} and {autodesktop}
; are the user's own Start menu and desktop.
PrivilegesRequired=lowest
DefaultDirName={autopf}\xianghe-desk
DisableProgramGroupPage=yes
; Python 3.11 and Qt 6 need 64-bit Windows 10 (version 1809) or later; Windows 7 cannot run them.
MinVersion=10.0.17763
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
#if Ver >= EncodeVer(7, 0, 0)
SetupArchitecture=x64
#endif
; Closes a running desk (Windows Restart Manager) before its files are replaced.
CloseApplications=yes
RestartApplications=no
OutputDir=..\dist
OutputBaseFilename=xianghe-desk-{#AppVersion}-setup
SetupIconFile=..\resources\icons\xianghe-desk.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
ShowLanguageDialog=no

[Languages]
Name: "chinesesimplified"; MessagesFile: "{#ChineseMessages}"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; An upgrade replaces the whole frozen bundle, so that no library of the previous version lingers
; beside the new ones. Only program files live in {app}; the clerk's data is elsewhere (see top).
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "..\dist\xianghe-desk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
{ After uninstalling, say where the data still is: a clerk who reinstalls finds it again, and one
  who hands the PC on knows what to delete. }
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and not UninstallSilent() then
    MsgBox('{#AppName} 已卸载。' + #13#10#13#10 +
      '您的数据（数据库、备份和日志）没有删除，仍在：' + #13#10 +
      ExpandConstant('{localappdata}\xianghe\xianghe-desk') + #13#10#13#10 +
      '重新安装后会继续使用这些数据。', mbInformation, MB_OK);
end;

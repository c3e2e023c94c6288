// Package mof reads the Managed Object Format (MOF) of DSP0004 2.x, the
// language the DMTF CIM Schema is written in.
//
// The front end has three layers:
//
//   - Lexer splits one file into Tokens, each with its Position.
//   - Parse turns one file into a File: a list of Decls (*Pragma,
//     *QualifierDecl, *ClassDecl, *InstanceDecl) whose values are Value trees.
//   - ParseAll starts from a root file and follows #pragma include through a
//     Loader (DirLoader, FSLoader, ZipLoader), giving every declaration in
//     compilation order with the namespace and locale pragmas in effect.
//
// Errors are *ParseError values, formatted file:line:col: expected X, found Y,
// collected in an ErrorList. Format writes a tree back as MOF text.
package mof

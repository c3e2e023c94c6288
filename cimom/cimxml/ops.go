package cimxml

import (
	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// An intrinsic is an intrinsic operation: the IPARAMVALUE names DSP0200
// defines for it and the function that serves it.
type intrinsic struct {
	params []string
	run    func(h *Handler, rq *request, p *iparams) error
}

// The parameters the pull operations share (DSP0200 §5.3.2).
var openParams = []string{"FilterQueryLanguage", "FilterQuery", "OperationTimeout", "ContinueOnError", "MaxObjectCount"}

func withOpen(names ...string) []string { return append(names, openParams...) }

// intrinsics maps lower-cased operation names to their implementations.
var intrinsics map[string]intrinsic

func init() {
	intrinsics = map[string]intrinsic{
		"getclass":            {[]string{"ClassName", "LocalOnly", "IncludeQualifiers", "IncludeClassOrigin", "PropertyList"}, opGetClass},
		"enumerateclasses":    {[]string{"ClassName", "DeepInheritance", "LocalOnly", "IncludeQualifiers", "IncludeClassOrigin"}, opEnumerateClasses},
		"enumerateclassnames": {[]string{"ClassName", "DeepInheritance"}, opEnumerateClassNames},
		"createclass":         {[]string{"NewClass"}, opCreateClass},
		"modifyclass":         {[]string{"ModifiedClass"}, opModifyClass},
		"deleteclass":         {[]string{"ClassName"}, opDeleteClass},
		"getqualifier":        {[]string{"QualifierName"}, opGetQualifier},
		"setqualifier":        {[]string{"QualifierDeclaration"}, opSetQualifier},
		"deletequalifier":     {[]string{"QualifierName"}, opDeleteQualifier},
		"enumeratequalifiers": {nil, opEnumerateQualifiers},

		"getinstance":            {[]string{"InstanceName", "LocalOnly", "IncludeQualifiers", "IncludeClassOrigin", "PropertyList"}, opGetInstance},
		"enumerateinstances":     {[]string{"ClassName", "LocalOnly", "DeepInheritance", "IncludeQualifiers", "IncludeClassOrigin", "PropertyList"}, opEnumerateInstances},
		"enumerateinstancenames": {[]string{"ClassName"}, opEnumerateInstanceNames},
		"createinstance":         {[]string{"NewInstance"}, opCreateInstance},
		"modifyinstance":         {[]string{"ModifiedInstance", "IncludeQualifiers", "PropertyList"}, opModifyInstance},
		"deleteinstance":         {[]string{"InstanceName"}, opDeleteInstance},
		"getproperty":            {[]string{"InstanceName", "PropertyName"}, opGetProperty},
		"setproperty":            {[]string{"InstanceName", "PropertyName", "NewValue"}, opSetProperty},

		"associators":     {[]string{"ObjectName", "AssocClass", "ResultClass", "Role", "ResultRole", "IncludeQualifiers", "IncludeClassOrigin", "PropertyList"}, opAssociators},
		"associatornames": {[]string{"ObjectName", "AssocClass", "ResultClass", "Role", "ResultRole"}, opAssociatorNames},
		"references":      {[]string{"ObjectName", "ResultClass", "Role", "IncludeQualifiers", "IncludeClassOrigin", "PropertyList"}, opReferences},
		"referencenames":  {[]string{"ObjectName", "ResultClass", "Role"}, opReferenceNames},
		"execquery":       {[]string{"QueryLanguage", "Query"}, opExecQuery},

		"openenumerateinstances":      {withOpen("ClassName", "DeepInheritance", "IncludeClassOrigin", "PropertyList"), opOpenEnumerateInstances},
		"openenumerateinstancepaths":  {withOpen("ClassName"), opOpenEnumerateInstancePaths},
		"openassociatorinstances":     {withOpen("InstanceName", "AssocClass", "ResultClass", "Role", "ResultRole", "IncludeClassOrigin", "PropertyList"), opOpenAssociatorInstances},
		"openassociatorinstancepaths": {withOpen("InstanceName", "AssocClass", "ResultClass", "Role", "ResultRole"), opOpenAssociatorInstancePaths},
		"openreferenceinstances":      {withOpen("InstanceName", "ResultClass", "Role", "IncludeClassOrigin", "PropertyList"), opOpenReferenceInstances},
		"openreferenceinstancepaths":  {withOpen("InstanceName", "ResultClass", "Role"), opOpenReferenceInstancePaths},
		"openqueryinstances":          {[]string{"FilterQuery", "FilterQueryLanguage", "ReturnQueryResultClass", "OperationTimeout", "ContinueOnError", "MaxObjectCount"}, opOpenQueryInstances},
		"pullinstanceswithpath":       {[]string{"EnumerationContext", "MaxObjectCount"}, pullOp(pullWithPath)},
		"pullinstancepaths":           {[]string{"EnumerationContext", "MaxObjectCount"}, pullOp(pullPaths)},
		"pullinstances":               {[]string{"EnumerationContext", "MaxObjectCount"}, pullOp(pullInstances)},
		"closeenumeration":            {[]string{"EnumerationContext"}, opCloseEnumeration},
		"enumerationcount":            {[]string{"EnumerationContext"}, opEnumerationCount},
	}
}

// returnValue writes IRETURNVALUE around what write writes.
func (rq *request) returnValue(write func(e *encoder)) {
	rq.out.openElem("IRETURNVALUE")
	write(&rq.out.enc)
	rq.out.closeElem()
}

// stream writes IRETURNVALUE holding the objects that produce yields, each
// through write, sending them as the response fills up. It stops producing
// when the client goes away.
func (rq *request) stream(produce func(emit func(write func(e *encoder)) bool) error) error {
	rq.out.openElem("IRETURNVALUE")
	var gone error
	err := produce(func(write func(e *encoder)) bool {
		write(&rq.out.enc)
		if gone = rq.out.step(); gone != nil {
			return false
		}
		return true
	})
	if err != nil {
		return err
	}
	if gone != nil {
		return gone
	}
	rq.out.closeElem()
	return nil
}

// instanceOptions reads the response options of an instance operation.
// LocalOnly is read for validity and ignored, as DSP0200 1.4 allows.
func instanceOptions(p *iparams, deepDefault bool) (cimom.InstanceOptions, error) {
	var o cimom.InstanceOptions
	var err error
	if _, err = p.boolean("LocalOnly", true); err != nil {
		return o, err
	}
	if o.DeepInheritance, err = p.boolean("DeepInheritance", deepDefault); err != nil {
		return o, err
	}
	if o.IncludeQualifiers, err = p.boolean("IncludeQualifiers", false); err != nil {
		return o, err
	}
	if o.IncludeClassOrigin, err = p.boolean("IncludeClassOrigin", false); err != nil {
		return o, err
	}
	o.PropertyList, err = p.propertyList()
	return o, err
}

// assocFilter reads AssocClass, ResultClass, Role and ResultRole.
func assocFilter(p *iparams) (cimom.AssocFilter, error) {
	var f cimom.AssocFilter
	var err error
	if f.AssocClass, err = p.className("AssocClass", false); err != nil {
		return f, err
	}
	if f.ResultClass, err = p.className("ResultClass", false); err != nil {
		return f, err
	}
	if f.Role, _, err = p.str("Role"); err != nil {
		return f, err
	}
	f.ResultRole, _, err = p.str("ResultRole")
	return f, err
}

// decoder returns a decoder for the request's namespace.
func (h *Handler) decoder(ns string) *decoder { return &decoder{ns: ns, repo: h.d.Repo} }

// checkNamespace fails with CIM_ERR_INVALID_NAMESPACE for an unknown
// namespace.
func (h *Handler) checkNamespace(ns string) error {
	if !h.d.Repo.HasNamespace(ns) {
		return cim.Errorf(cim.ErrInvalidNamespace, "no namespace %s", ns)
	}
	return nil
}
